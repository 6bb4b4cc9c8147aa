// The wardrobe as the seed's model invites the frontend to write it: an item and its collection's
// item_count changed together, in one transaction.
//   node --import tsx wardrobe.mjs add <userId> <collectionId|-> <tagsJson>  -> {"itemId", "itemCount"}
//     (IMAGE_BASE64: the image as plain base64, as the frontend stores it; a 1x1 PNG if unset)
//   node --import tsx wardrobe.mjs remove <itemId>                         -> {"itemCount"}
import { eq, sql } from "drizzle-orm";

import { print, schema, withDb } from "./db.mjs";

const { wardrobe_collections: collections, wardrobe_items: items } = schema;
const [operation, ...args] = process.argv.slice(2);
const PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

function addToCount(tx, collectionId, delta) {
  return tx
    .update(collections)
    .set({ itemCount: sql`${collections.itemCount} + ${delta}` })
    .where(eq(collections.id, collectionId))
    .returning({ itemCount: collections.itemCount });
}

await withDb((db) =>
  db.transaction(async (tx) => {
    if (operation === "add") {
      const [userId, collectionId, tags] = args;
      const inCollection = collectionId === "-" ? null : collectionId;
      const [item] = await tx
        .insert(items)
        .values({
          userId,
          collectionId: inCollection,
          imageBase64: process.env.IMAGE_BASE64 ?? PIXEL,
          title: "Linen shirt",
          tags: JSON.parse(tags),
        })
        .returning({ id: items.id });
      const counted = inCollection ? await addToCount(tx, inCollection, 1) : [{ itemCount: null }];
      print({ itemId: item.id, itemCount: counted[0].itemCount });
    } else if (operation === "remove") {
      const [item] = await tx.delete(items).where(eq(items.id, args[0])).returning({ collectionId: items.collectionId });
      const counted = await addToCount(tx, item.collectionId, -1);
      print({ itemCount: counted[0].itemCount });
    } else {
      throw new Error(`unknown operation ${operation}`);
    }
  }),
);
