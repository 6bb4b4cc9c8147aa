// Is a schema.ts a superset of the seed's? Same exports, and the seed's tables and enums as drizzle-kit
// serialises them (columns, defaults, foreign keys, unique constraints), whatever indexes it adds.
//   node --import tsx compare-schemas.mjs <seed schema.ts> <schema.ts>  -> {"missingExports", "differences"}
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { pathToFileURL } from "node:url";

import { generateDrizzleJson } from "drizzle-kit/api";

import { print } from "./db.mjs";

const load = (file) => import(pathToFileURL(path.resolve(file)).href);
const [seed, ours] = await Promise.all(process.argv.slice(2).map(load));
const [seedJson, ourJson] = [generateDrizzleJson(seed), generateDrizzleJson(ours)];

const differences = [];
for (const [key, table] of Object.entries(seedJson.tables)) {
  for (const part of ["columns", "foreignKeys", "uniqueConstraints", "compositePrimaryKeys", "checkConstraints"]) {
    if (!isDeepStrictEqual(table[part], ourJson.tables[key]?.[part])) differences.push(`${key}.${part}`);
  }
}
for (const [key, enumType] of Object.entries(seedJson.enums)) {
  if (!isDeepStrictEqual(enumType, ourJson.enums[key])) differences.push(`enum ${key}`);
}
print({ missingExports: Object.keys(seed).filter((name) => !(name in ours)), differences });
