// A completed generation as the frontend stores it: the result image as plain base64 (no data: prefix).
//   node --import tsx generation.mjs insert <userId>   (IMAGE_BASE64)  -> {"id"}
import { print, schema, withDb } from "./db.mjs";

const [operation, userId] = process.argv.slice(2);
if (operation !== "insert") throw new Error(`unknown operation ${operation}`);
await withDb(async (db) => {
  const [row] = await db
    .insert(schema.generations)
    .values({
      userId,
      mode: "from_prompt",
      status: "completed",
      prompt: "a linen shirt on a beach",
      resultImageBase64: process.env.IMAGE_BASE64,
      modelUsed: "gemini-2.5-flash",
    })
    .returning({ id: schema.generations.id });
  print({ id: row.id });
});
