// bcryptjs as the frontend's credentials sign-in uses it.
//   node bcrypt.mjs compare   (PASSWORD, HASH)      -> {"match": bool}
//   node bcrypt.mjs hash <2a|2b>   (PASSWORD)       -> {"hash": "..."}
import bcrypt from "bcryptjs";

import { print } from "./db.mjs";

const [operation, version] = process.argv.slice(2);
const password = process.env.PASSWORD;
if (operation === "compare") {
  print({ match: await bcrypt.compare(password, process.env.HASH) });
} else if (operation === "hash") {
  // bcryptjs 3 writes $2b$; bcryptjs 2 (what many frontends still run) wrote $2a$, the same hash otherwise.
  const salt = (await bcrypt.genSalt(10)).replace(/^\$2b\$/, `$${version}$`);
  print({ hash: await bcrypt.hash(password, salt) });
} else {
  throw new Error(`unknown operation ${operation}`);
}
