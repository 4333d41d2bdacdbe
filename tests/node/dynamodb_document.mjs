// @aws-sdk/lib-dynamodb (DynamoDBDocumentClient) against LumaDB: node dynamodb_document.mjs <table>
// Native JavaScript values in and out for every item operation family. Prints one JSON document.
import { DynamoDBClient, CreateTableCommand, DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient, PutCommand, GetCommand, UpdateCommand, DeleteCommand, QueryCommand, ScanCommand,
  BatchWriteCommand, BatchGetCommand, TransactWriteCommand, TransactGetCommand, paginateQuery,
} from "@aws-sdk/lib-dynamodb";

const table = process.argv[2];
const base = new DynamoDBClient({
  endpoint: `${process.env.LUMADB_URL}/dynamodb`,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
  maxAttempts: 1,
});
const doc = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false } });
const failure = async (promise) => {
  try { await promise; return null; } catch (e) { return { name: e.name, message: e.message, reasons: e.CancellationReasons ?? null }; }
};
const out = {};

await base.send(new CreateTableCommand({
  TableName: table, BillingMode: "PAY_PER_REQUEST",
  AttributeDefinitions: [{ AttributeName: "user", AttributeType: "S" }, { AttributeName: "ts", AttributeType: "N" }],
  KeySchema: [{ AttributeName: "user", KeyType: "HASH" }, { AttributeName: "ts", KeyType: "RANGE" }],
}));

const order = { user: "ann", ts: 1, total: 12.5, items: [{ sku: "a", qty: 2 }, { sku: "b", qty: 1 }],
  tags: new Set(["new", "gift"]), paid: false, note: null, meta: { source: "web", nested: { lvl: 2 } }, empty: "" };
await doc.send(new PutCommand({ TableName: table, Item: order }));
const got = (await doc.send(new GetCommand({ TableName: table, Key: { user: "ann", ts: 1 } }))).Item;
out.get = { ...got, tags: [...got.tags].sort() };
out.projected = (await doc.send(new GetCommand({
  TableName: table, Key: { user: "ann", ts: 1 }, ProjectionExpression: "#m.nested, #i[1].sku",
  ExpressionAttributeNames: { "#m": "meta", "#i": "items" },
}))).Item;
out.updated = (await doc.send(new UpdateCommand({
  TableName: table, Key: { user: "ann", ts: 1 },
  UpdateExpression: "SET paid = :t, #i = list_append(#i, :more) REMOVE note ADD visits :one",
  ExpressionAttributeNames: { "#i": "items" },
  ExpressionAttributeValues: { ":t": true, ":more": [{ sku: "c", qty: 3 }], ":one": 1 },
  ConditionExpression: "attribute_exists(#i)",
  ReturnValues: "ALL_NEW",
}))).Attributes;
out.updated.tags = [...out.updated.tags].sort();
out.conditionFailed = await failure(doc.send(new PutCommand({
  TableName: table, Item: { user: "ann", ts: 1 }, ConditionExpression: "attribute_not_exists(#u)", ExpressionAttributeNames: { "#u": "user" },
})));

const writes = [];
for (let i = 2; i <= 30; i++) writes.push({ PutRequest: { Item: { user: i % 2 ? "ann" : "bob", ts: i, amount: i * 1.5 } } });
for (let start = 0; start < writes.length; start += 25) {
  await doc.send(new BatchWriteCommand({ RequestItems: { [table]: writes.slice(start, start + 25) } }));
}
const batch = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: [{ user: "bob", ts: 2 }, { user: "ann", ts: 3 }] } } }));
out.batchGet = batch.Responses[table].map((i) => `${i.user}:${i.ts}`).sort();

const anns = [];
for await (const page of paginateQuery({ client: doc, pageSize: 4 }, {
  TableName: table, KeyConditionExpression: "#u = :u AND ts BETWEEN :a AND :b",
  ExpressionAttributeNames: { "#u": "user" }, ExpressionAttributeValues: { ":u": "ann", ":a": 1, ":b": 21, ":t": true },
  FilterExpression: "attribute_not_exists(paid) OR paid = :t", ScanIndexForward: true,
})) anns.push(...page.Items.map((i) => i.ts));
out.query = anns;
let lastKey;
let scanned = 0;
do {
  const page = await doc.send(new ScanCommand({ TableName: table, Limit: 7, ExclusiveStartKey: lastKey, FilterExpression: "amount > :x", ExpressionAttributeValues: { ":x": 30 } }));
  scanned += page.Count;
  lastKey = page.LastEvaluatedKey;
} while (lastKey);
out.scanFiltered = scanned;

await doc.send(new TransactWriteCommand({ TransactItems: [
  { Update: { TableName: table, Key: { user: "bob", ts: 2 }, UpdateExpression: "SET amount = amount - :d", ExpressionAttributeValues: { ":d": 1 } } },
  { Delete: { TableName: table, Key: { user: "bob", ts: 4 } } },
  { ConditionCheck: { TableName: table, Key: { user: "ann", ts: 1 }, ConditionExpression: "paid = :t", ExpressionAttributeValues: { ":t": true } } },
] }));
out.cancelled = await failure(doc.send(new TransactWriteCommand({ TransactItems: [
  { Put: { TableName: table, Item: { user: "zed", ts: 1 } } },
  { ConditionCheck: { TableName: table, Key: { user: "ann", ts: 1 }, ConditionExpression: "paid = :f", ExpressionAttributeValues: { ":f": false } } },
] })));
const tget = await doc.send(new TransactGetCommand({ TransactItems: [
  { Get: { TableName: table, Key: { user: "bob", ts: 2 } } }, { Get: { TableName: table, Key: { user: "bob", ts: 4 } } },
  { Get: { TableName: table, Key: { user: "zed", ts: 1 } } },
] }));
out.transactGet = tget.Responses.map((r) => r.Item?.amount ?? null);
out.deleted = (await doc.send(new DeleteCommand({ TableName: table, Key: { user: "ann", ts: 1 }, ReturnValues: "ALL_OLD" }))).Attributes.total;

await base.send(new DeleteTableCommand({ TableName: table }));
console.log(JSON.stringify(out));
