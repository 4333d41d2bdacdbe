// AWS SDK for JavaScript v3 against LumaDB's vector indexes: node dynamodb_vectors.mjs <table>.
// LUMADB_URL is the server URL; the client points at <url>/dynamodb. Prints one JSON document
// (what each step observed) on the last line.
import {
  DynamoDBClient, CreateTableCommand, PutItemCommand, SearchVectorsCommand, DeleteTableCommand,
} from "@aws-sdk/client-dynamodb";

const table = process.argv[2];
const ddb = new DynamoDBClient({
  endpoint: `${process.env.LUMADB_URL}/dynamodb`,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
  maxAttempts: 1,
});
const vector = (values) => ({ L: values.map((v) => ({ N: String(v) })) });
const out = {};

const created = await ddb.send(new CreateTableCommand({
  TableName: table, BillingMode: "PAY_PER_REQUEST",
  AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "tenant", AttributeType: "S" }],
  KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
  VectorIndexes: [{
    IndexName: "by_tenant", VectorAttribute: { AttributeName: "emb" }, Dimensions: 2, DistanceFunction: "EUCLIDEAN",
    Projection: { ProjectionType: "ALL" }, SearchSchema: [{ AttributeName: "tenant", SearchSchemaElementType: "HASH" }],
  }],
}));
out.index = created.TableDescription.VectorIndexes.map((i) => [i.IndexName, i.Dimensions, i.IndexStatus]);
for (const [pk, tenant, values] of [["a", "t1", [0, 0]], ["b", "t1", [3, 4]], ["c", "t2", [0, 1]]]) {
  await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, tenant: { S: tenant }, emb: vector(values) } }));
}
const found = await ddb.send(new SearchVectorsCommand({
  TableName: table, IndexName: "by_tenant", SearchVector: [{ N: "0" }, { N: "0" }], TopK: 5,
  SearchConditionExpression: "tenant = :t", ExpressionAttributeValues: { ":t": { S: "t1" } },
  ReturnConsumedCapacity: "TOTAL",
}));
out.results = found.SearchResults.map((r) => [r.Item.pk.S, r.Score, Object.keys(r.Item).sort()]);
out.capacity = found.ConsumedCapacity;
try {
  await ddb.send(new SearchVectorsCommand({ TableName: table, IndexName: "by_tenant", SearchVector: [{ N: "0" }, { N: "0" }], TopK: 5 }));
} catch (e) {
  out.error = { name: e.name, message: e.message };
}
await ddb.send(new DeleteTableCommand({ TableName: table }));
console.log(JSON.stringify(out));
