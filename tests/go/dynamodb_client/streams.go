package main

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// streamRecords reads the table's stream from its start: the event names of the first records
// and the keys and images of the first one.
func streamRecords(streams *dynamodbstreams.Client, orders string) {
	listed := must(streams.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{TableName: aws.String(orders)}))
	arn := listed.Streams[0].StreamArn
	described := must(streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: arn}))
	out["streamStatus"] = string(described.StreamDescription.StreamStatus)
	iterator := must(streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
		StreamArn: arn, ShardId: described.StreamDescription.Shards[0].ShardId,
		ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon,
	})).ShardIterator
	events := []string{}
	for page := 0; page < 3 && iterator != nil; page++ {
		records := must(streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iterator, Limit: aws.Int32(2)}))
		for _, record := range records.Records {
			if len(events) == 0 {
				first := record.Dynamodb
				out["firstRecord"] = map[string]any{
					"customer": first.Keys["customer"].(*streamtypes.AttributeValueMemberS).Value,
					"hasNew":   first.NewImage != nil, "hasOld": first.OldImage != nil,
					"view": string(first.StreamViewType),
				}
			}
			events = append(events, string(record.EventName))
		}
		iterator = records.NextShardIterator
	}
	out["streamEvents"] = events
}
