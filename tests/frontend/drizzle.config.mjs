// drizzle-kit's configuration for the tests: the schema file, the migrations folder and the database
// come from the environment (DRIZZLE_SCHEMA, DRIZZLE_OUT, DATABASE_URL), relative to the working directory.
export default {
  dialect: "postgresql",
  schema: process.env.DRIZZLE_SCHEMA,
  out: process.env.DRIZZLE_OUT ?? "./drizzle",
  dbCredentials: { url: process.env.DATABASE_URL },
};
