// AWS SDK for JavaScript v3 against LumaDB's indexes, Streams, TTL and PartiQL:
// node dynamodb_issue5_features.mjs <table-name>. LUMADB_URL is the server URL; both clients
// point at <url>/dynamodb. Prints one JSON document (what each step observed) on the last line.
import {
  DynamoDBClient, CreateTableCommand, DescribeTableCommand, UpdateTableCommand, PutItemCommand,
  UpdateItemCommand, DeleteItemCommand, ExecuteStatementCommand, BatchExecuteStatementCommand,
  ExecuteTransactionCommand, UpdateTimeToLiveCommand, DescribeTimeToLiveCommand, paginateQuery,
} from "@aws-sdk/client-dynamodb";
import {
  DynamoDBStreamsClient, ListStreamsCommand, DescribeStreamCommand, GetShardIteratorCommand,
  GetRecordsCommand,
} from "@aws-sdk/client-dynamodb-streams";

const table = process.argv[2];
const config = {
  endpoint: `${process.env.LUMADB_URL}/dynamodb`,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
  maxAttempts: 1,
};
const ddb = new DynamoDBClient(config);
const streams = new DynamoDBStreamsClient(config);
const failure = async (promise) => {
  try { await promise; return null; } catch (e) {
    return { name: e.name, message: e.message, reasons: e.CancellationReasons ?? null };
  }
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const out = {};

// a table with a stream, written before it has a GSI
const created = await ddb.send(new CreateTableCommand({
  TableName: table, BillingMode: "PAY_PER_REQUEST",
  AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
  KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
  StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
}));
const streamArn = created.TableDescription.LatestStreamArn;
for (let n = 0; n < 12; n++) {
  await ddb.send(new PutItemCommand({
    TableName: table, Item: { pk: { S: `u${n}` }, team: { S: n % 2 ? "odd" : "even" }, score: { N: String(n) } },
  }));
}

// GSI added later: backfilled, then queried page by page
const updated = await ddb.send(new UpdateTableCommand({
  TableName: table,
  AttributeDefinitions: [{ AttributeName: "team", AttributeType: "S" }, { AttributeName: "score", AttributeType: "N" }],
  GlobalSecondaryIndexUpdates: [{ Create: {
    IndexName: "byTeam", Projection: { ProjectionType: "ALL" },
    KeySchema: [{ AttributeName: "team", KeyType: "HASH" }, { AttributeName: "score", KeyType: "RANGE" }],
  } }],
}));
out.createdIndexStatus = updated.TableDescription.GlobalSecondaryIndexes[0].IndexStatus;
for (let tries = 0; tries < 100; tries++) {
  const described = await ddb.send(new DescribeTableCommand({ TableName: table }));
  out.indexStatus = described.Table.GlobalSecondaryIndexes[0].IndexStatus;
  if (out.indexStatus === "ACTIVE") { out.indexCount = described.Table.GlobalSecondaryIndexes[0].ItemCount; break; }
  await sleep(50);
}
out.oddScores = [];
for await (const page of paginateQuery({ client: ddb, pageSize: 2 }, {
  TableName: table, IndexName: "byTeam", KeyConditionExpression: "team = :t",
  ExpressionAttributeValues: { ":t": { S: "odd" } }, ScanIndexForward: false,
})) {
  out.oddScores.push(...page.Items.map((item) => Number(item.score.N)));
  if (page.LastEvaluatedKey) out.lastKeyNames = Object.keys(page.LastEvaluatedKey).sort();
}
// an item moves from one index partition to the other
await ddb.send(new UpdateItemCommand({
  TableName: table, Key: { pk: { S: "u1" } }, UpdateExpression: "SET team = :t",
  ExpressionAttributeValues: { ":t": { S: "even" } },
}));
await ddb.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: "u2" } } }));
out.consistentGsi = await failure(ddb.send(new ExecuteStatementCommand({
  Statement: `SELECT * FROM "${table}"."byTeam" WHERE team = 'odd'`, ConsistentRead: true,
})));

// PartiQL
await ddb.send(new ExecuteStatementCommand({
  Statement: `INSERT INTO "${table}" VALUE {'pk': ?, 'team': 'odd', 'score': 100}`, Parameters: [{ S: "p1" }],
}));
out.duplicate = await failure(ddb.send(new ExecuteStatementCommand({
  Statement: `INSERT INTO "${table}" VALUE {'pk': 'p1'}`,
})));
const selected = [];
let token;
do {
  const page = await ddb.send(new ExecuteStatementCommand({
    Statement: `SELECT pk FROM "${table}"."byTeam" WHERE team = 'odd' AND score >= 5`, Limit: 2, NextToken: token,
  }));
  selected.push(...page.Items.map((item) => item.pk.S));
  token = page.NextToken;
} while (token);
out.partiqlSelected = selected;
const batch = await ddb.send(new BatchExecuteStatementCommand({ Statements: [
  { Statement: `UPDATE "${table}" SET score = score + 1 WHERE pk = 'p1'` },
  { Statement: `UPDATE "${table}" SET score = 1 WHERE pk = 'nobody'` },
] }));
out.batchErrors = batch.Responses.map((r) => r.Error?.Code ?? null);
out.transaction = await failure(ddb.send(new ExecuteTransactionCommand({ TransactStatements: [
  { Statement: `DELETE FROM "${table}" WHERE pk = 'p1'` },
  { Statement: `INSERT INTO "${table}" VALUE {'pk': 'u3'}` },
] })));

// TTL settings
await ddb.send(new UpdateTimeToLiveCommand({
  TableName: table, TimeToLiveSpecification: { Enabled: true, AttributeName: "expires" },
}));
out.ttl = (await ddb.send(new DescribeTimeToLiveCommand({ TableName: table }))).TimeToLiveDescription;

// a Lambda-style consumer: every shard from TRIM_HORIZON to the end
const listed = await streams.send(new ListStreamsCommand({ TableName: table }));
out.listed = listed.Streams.map((s) => s.StreamArn === streamArn);
const description = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription;
out.shardIdLength = description.Shards[0].ShardId.length;
const events = [];
for (const shard of description.Shards) {
  let iterator = (await streams.send(new GetShardIteratorCommand({
    StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON",
  }))).ShardIterator;
  while (iterator) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 5 }));
    events.push(...page.Records);
    if (page.Records.length === 0) break;
    iterator = page.NextShardIterator;
  }
}
out.events = events.map((e) => [e.eventName, e.dynamodb.Keys.pk.S]);
out.sequenceIncreasing = events.every((e, i) => i === 0 ||
  BigInt(e.dynamodb.SequenceNumber) > BigInt(events[i - 1].dynamodb.SequenceNumber));
out.moved = events.filter((e) => e.eventName === "MODIFY" && e.dynamodb.Keys.pk.S === "u1")
  .map((e) => [e.dynamodb.OldImage.team.S, e.dynamodb.NewImage.team.S]);
out.createdIsDate = events[0].dynamodb.ApproximateCreationDateTime instanceof Date;
console.log(JSON.stringify(out));
