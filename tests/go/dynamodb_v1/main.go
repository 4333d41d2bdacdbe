// The AWS SDK for Go v1 against LumaDB: dynamodb_v1 <endpoint> <table-name>
// v1 is past its end of support but still in many applications. Its DynamoDB client rejects a
// response whose CRC32 does not match x-amz-crc32 (as an error, where v2 only logs), and it
// reads errors its own way. Prints one JSON document of what each step observed.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/dynamodb"
	"github.com/aws/aws-sdk-go/service/dynamodb/dynamodbattribute"
	"github.com/aws/aws-sdk-go/service/dynamodb/expression"
)

type event struct {
	Stream string   `dynamodbav:"stream"`
	Seq    int      `dynamodbav:"seq"`
	Kind   string   `dynamodbav:"kind"`
	Labels []string `dynamodbav:"labels,stringset"`
	Count  int      `dynamodbav:"count"`
}

var out = map[string]interface{}{}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "unexpected error:", err)
		os.Exit(1)
	}
}

// failure is the error's code and message as v1 reads them, and for a cancelled transaction
// its reasons.
func failure(err error) map[string]interface{} {
	if err == nil {
		return nil
	}
	result := map[string]interface{}{"error": err.Error()}
	if aerr, ok := err.(awserr.Error); ok {
		result["code"], result["message"] = aerr.Code(), aerr.Message()
	}
	if cancelled, ok := err.(*dynamodb.TransactionCanceledException); ok {
		codes := []string{}
		for _, reason := range cancelled.CancellationReasons {
			codes = append(codes, aws.StringValue(reason.Code))
		}
		result["reasons"] = codes
	}
	return result
}

func key(stream string, seq int) map[string]*dynamodb.AttributeValue {
	value, err := dynamodbattribute.MarshalMap(map[string]interface{}{"stream": stream, "seq": seq})
	check(err)
	return value
}

func main() {
	endpoint, table := os.Args[1], os.Args[2]
	sess := session.Must(session.NewSession(&aws.Config{
		Region: aws.String("us-east-1"), Endpoint: aws.String(endpoint), MaxRetries: aws.Int(0),
		Credentials: credentials.NewStaticCredentials("AKIDEXAMPLE", "secret", ""),
	}))
	client := dynamodb.New(sess)

	_, err := client.CreateTable(&dynamodb.CreateTableInput{
		TableName: aws.String(table), BillingMode: aws.String(dynamodb.BillingModePayPerRequest),
		AttributeDefinitions: []*dynamodb.AttributeDefinition{
			{AttributeName: aws.String("stream"), AttributeType: aws.String("S")},
			{AttributeName: aws.String("seq"), AttributeType: aws.String("N")},
		},
		KeySchema: []*dynamodb.KeySchemaElement{
			{AttributeName: aws.String("stream"), KeyType: aws.String("HASH")},
			{AttributeName: aws.String("seq"), KeyType: aws.String("RANGE")},
		},
	})
	check(err)
	check(client.WaitUntilTableExists(&dynamodb.DescribeTableInput{TableName: aws.String(table)}))

	for seq := 0; seq < 30; seq++ {
		item, err := dynamodbattribute.MarshalMap(event{Stream: "s1", Seq: seq, Kind: []string{"click", "view"}[seq%2], Labels: []string{"a"}})
		check(err)
		_, err = client.PutItem(&dynamodb.PutItemInput{TableName: aws.String(table), Item: item})
		check(err)
	}
	got, err := client.GetItem(&dynamodb.GetItemInput{TableName: aws.String(table), Key: key("s1", 7)})
	check(err)
	var read event
	check(dynamodbattribute.UnmarshalMap(got.Item, &read))
	out["get"] = read

	update := expression.Add(expression.Name("count"), expression.Value(2)).
		Add(expression.Name("labels"), expression.Value((&dynamodb.AttributeValue{}).SetSS([]*string{aws.String("b")})))
	built, err := expression.NewBuilder().WithUpdate(update).Build()
	check(err)
	updated, err := client.UpdateItem(&dynamodb.UpdateItemInput{
		TableName: aws.String(table), Key: key("s1", 7), UpdateExpression: built.Update(),
		ExpressionAttributeNames: built.Names(), ExpressionAttributeValues: built.Values(),
		ReturnValues: aws.String(dynamodb.ReturnValueUpdatedNew),
	})
	check(err)
	var after event
	check(dynamodbattribute.UnmarshalMap(updated.Attributes, &after))
	out["updated"] = after

	_, err = client.PutItem(&dynamodb.PutItemInput{
		TableName: aws.String(table), Item: key("s1", 7), ConditionExpression: aws.String("attribute_not_exists(#s)"),
		ExpressionAttributeNames: map[string]*string{"#s": aws.String("stream")},
	})
	out["conditionFailed"] = failure(err)
	_, err = client.GetItem(&dynamodb.GetItemInput{TableName: aws.String(table + "-nope"), Key: key("s1", 1)})
	out["missingTable"] = failure(err)

	keyCondition := expression.Key("stream").Equal(expression.Value("s1"))
	filter := expression.Name("kind").Equal(expression.Value("view"))
	query, err := expression.NewBuilder().WithKeyCondition(keyCondition).WithFilter(filter).Build()
	check(err)
	seqs, pages := []int{}, 0
	check(client.QueryPages(&dynamodb.QueryInput{
		TableName: aws.String(table), KeyConditionExpression: query.KeyCondition(), FilterExpression: query.Filter(),
		ExpressionAttributeNames: query.Names(), ExpressionAttributeValues: query.Values(), Limit: aws.Int64(8),
	}, func(page *dynamodb.QueryOutput, last bool) bool {
		pages++
		var events []event
		check(dynamodbattribute.UnmarshalListOfMaps(page.Items, &events))
		for _, e := range events {
			seqs = append(seqs, e.Seq)
		}
		return true
	}))
	out["query"], out["queryPages"] = seqs, pages

	_, err = client.TransactWriteItems(&dynamodb.TransactWriteItemsInput{TransactItems: []*dynamodb.TransactWriteItem{
		{Put: &dynamodb.Put{TableName: aws.String(table), Item: key("s2", 1)}},
		{ConditionCheck: &dynamodb.ConditionCheck{TableName: aws.String(table), Key: key("s1", 0),
			ConditionExpression: aws.String("attribute_not_exists(#s)"), ExpressionAttributeNames: map[string]*string{"#s": aws.String("stream")}}},
	}})
	out["cancelled"] = failure(err)

	_, err = client.DeleteTable(&dynamodb.DeleteTableInput{TableName: aws.String(table)})
	check(err)
	check(client.WaitUntilTableNotExists(&dynamodb.DescribeTableInput{TableName: aws.String(table)}))
	encoded, err := json.Marshal(out)
	check(err)
	fmt.Println(string(encoded))
}
