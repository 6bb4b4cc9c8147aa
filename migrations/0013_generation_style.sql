-- The style hint a generation was asked with, so a rerun asks for the same look.
ALTER TABLE generation_options ADD COLUMN style varchar(100);
