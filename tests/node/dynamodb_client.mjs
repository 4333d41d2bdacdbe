// @aws-sdk/client-dynamodb against LumaDB: node dynamodb_client.mjs <table-prefix>
// LUMADB_URL is the server URL; the client points at <url>/dynamodb. Runs every operation
// family and prints one JSON document (what each step observed) on the last line.
import {
  DynamoDBClient, CreateTableCommand, DescribeTableCommand, ListTablesCommand, UpdateTableCommand,
  DeleteTableCommand, TagResourceCommand, UntagResourceCommand, ListTagsOfResourceCommand,
  DescribeLimitsCommand, DescribeEndpointsCommand, DescribeContinuousBackupsCommand,
  UpdateContinuousBackupsCommand, PutItemCommand, GetItemCommand, UpdateItemCommand, DeleteItemCommand,
  BatchWriteItemCommand, BatchGetItemCommand, QueryCommand, ScanCommand, TransactWriteItemsCommand,
  TransactGetItemsCommand, paginateQuery, paginateScan, paginateListTables,
} from "@aws-sdk/client-dynamodb";

const prefix = process.argv[2];
const client = new DynamoDBClient({
  endpoint: `${process.env.LUMADB_URL}/dynamodb`,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
  maxAttempts: 1,
});
const send = (command) => client.send(command);
const failure = async (promise) => {
  try { await promise; return null; } catch (e) {
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode,
             reasons: e.CancellationReasons ?? null, item: e.Item ?? null };
  }
};

const out = {};
const table = `${prefix}-main`;
const other = `${prefix}-other`;

// tables
const created = await send(new CreateTableCommand({
  TableName: table, BillingMode: "PAY_PER_REQUEST",
  AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }],
  KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
  Tags: [{ Key: "env", Value: "test" }],
}));
out.createStatus = created.TableDescription.TableStatus;
await send(new CreateTableCommand({
  TableName: other, BillingMode: "PROVISIONED", ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 2 },
  AttributeDefinitions: [{ AttributeName: "id", AttributeType: "B" }],
  KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
}));
out.createAgain = await failure(send(new CreateTableCommand({
  TableName: table, BillingMode: "PAY_PER_REQUEST",
  AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
})));
const described = (await send(new DescribeTableCommand({ TableName: table }))).Table;
out.describe = { status: described.TableStatus, keys: described.KeySchema.map((k) => k.KeyType), arn: described.TableArn };
const listed = [];
for await (const page of paginateListTables({ client, pageSize: 1 }, {})) listed.push(...page.TableNames);
out.listed = listed.filter((n) => n.startsWith(prefix));
const updated = await send(new UpdateTableCommand({ TableName: other, ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 1 } }));
out.updatedThroughput = updated.TableDescription.ProvisionedThroughput;
await send(new TagResourceCommand({ ResourceArn: described.TableArn, Tags: [{ Key: "team", Value: "db" }] }));
await send(new UntagResourceCommand({ ResourceArn: described.TableArn, TagKeys: ["env"] }));
out.tags = (await send(new ListTagsOfResourceCommand({ ResourceArn: described.TableArn }))).Tags;
out.limits = (await send(new DescribeLimitsCommand({}))).TableMaxReadCapacityUnits;
out.endpoints = (await send(new DescribeEndpointsCommand({}))).Endpoints.map((e) => e.Address);
await send(new UpdateContinuousBackupsCommand({ TableName: table, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
out.pitr = (await send(new DescribeContinuousBackupsCommand({ TableName: table })))
  .ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus;

// items
await send(new PutItemCommand({ TableName: table, Item: { pk: { S: "a" }, sk: { N: "1" }, n: { N: "10" }, tags: { SS: ["x", "y"] } } }));
out.get = (await send(new GetItemCommand({ TableName: table, Key: { pk: { S: "a" }, sk: { N: "1.0" } }, ConsistentRead: true }))).Item;
out.update = (await send(new UpdateItemCommand({
  TableName: table, Key: { pk: { S: "a" }, sk: { N: "1" } }, UpdateExpression: "SET n = n + :d ADD tags :t",
  ExpressionAttributeValues: { ":d": { N: "5" }, ":t": { SS: ["z"] } }, ReturnValues: "UPDATED_NEW",
}))).Attributes;
out.conditionFailed = await failure(send(new PutItemCommand({
  TableName: table, Item: { pk: { S: "a" }, sk: { N: "1" } }, ConditionExpression: "attribute_not_exists(pk)",
  ReturnValuesOnConditionCheckFailure: "ALL_OLD",
})));
out.deleted = (await send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: "a" }, sk: { N: "1" } }, ReturnValues: "ALL_OLD" }))).Attributes?.n;
out.missingTable = await failure(send(new GetItemCommand({ TableName: `${prefix}-nope`, Key: { pk: { S: "a" } } })));
out.badKey = await failure(send(new GetItemCommand({ TableName: table, Key: { pk: { S: "a" } } })));

// batches
for (let start = 0; start < 60; start += 25) {
  const requests = [];
  for (let i = start; i < Math.min(start + 25, 60); i++) {
    requests.push({ PutRequest: { Item: { pk: { S: "q" }, sk: { N: String(i) }, pad: { S: "x".repeat(100) } } } });
  }
  const written = await send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
  out.unprocessed = Object.keys(written.UnprocessedItems);
}
await send(new BatchWriteItemCommand({ RequestItems: { [other]: [{ PutRequest: { Item: { id: { B: new Uint8Array([1, 2]) } } } }] } }));
const got = await send(new BatchGetItemCommand({ RequestItems: {
  [table]: { Keys: [{ pk: { S: "q" }, sk: { N: "3" } }, { pk: { S: "q" }, sk: { N: "4" } }], ProjectionExpression: "sk" },
  [other]: { Keys: [{ id: { B: new Uint8Array([1, 2]) } }] },
} }));
out.batchGet = { main: got.Responses[table].map((i) => i.sk.N).sort(), other: Array.from(got.Responses[other][0].id.B) };

// query and scan, paged
const queried = [];
for await (const page of paginateQuery({ client, pageSize: 7 }, {
  TableName: table, KeyConditionExpression: "pk = :p AND sk >= :s", ExpressionAttributeValues: { ":p": { S: "q" }, ":s": { N: "10" } },
  ScanIndexForward: false,
})) queried.push(...page.Items.map((i) => Number(i.sk.N)));
out.query = queried;
let scanned = 0;
for await (const page of paginateScan({ client, pageSize: 9 }, { TableName: table, FilterExpression: "sk < :m", ExpressionAttributeValues: { ":m": { N: "30" } } })) scanned += page.Count;
out.scanCount = scanned;
const segments = [];
for (let segment = 0; segment < 4; segment++) {
  const page = await send(new ScanCommand({ TableName: table, Segment: segment, TotalSegments: 4 }));
  segments.push(page.Count);
}
out.segmentTotal = segments.reduce((a, b) => a + b, 0);
out.count = (await send(new QueryCommand({ TableName: table, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": { S: "q" } }, Select: "COUNT" }))).Count;

// transactions
await send(new TransactWriteItemsCommand({ TransactItems: [
  { Put: { TableName: table, Item: { pk: { S: "t" }, sk: { N: "1" }, v: { N: "1" } } } },
  { Update: { TableName: table, Key: { pk: { S: "q" }, sk: { N: "0" } }, UpdateExpression: "SET touched = :t", ExpressionAttributeValues: { ":t": { BOOL: true } } } },
], ClientRequestToken: `${prefix}-token` }));
out.cancelled = await failure(send(new TransactWriteItemsCommand({ TransactItems: [
  { Put: { TableName: table, Item: { pk: { S: "t" }, sk: { N: "2" } } } },
  { ConditionCheck: { TableName: table, Key: { pk: { S: "t" }, sk: { N: "1" } }, ConditionExpression: "v = :two", ExpressionAttributeValues: { ":two": { N: "2" } } } },
] })));
const tget = await send(new TransactGetItemsCommand({ TransactItems: [
  { Get: { TableName: table, Key: { pk: { S: "t" }, sk: { N: "1" } } } },
  { Get: { TableName: table, Key: { pk: { S: "t" }, sk: { N: "2" } } } },
] }));
out.transactGet = tget.Responses.map((r) => (r.Item ? r.Item.v.N : null));

// clean up
await send(new DeleteTableCommand({ TableName: other }));
out.deleteStatus = (await send(new DeleteTableCommand({ TableName: table }))).TableDescription.TableStatus;
console.log(JSON.stringify(out));
