// The AWS SDK for Go v2 against LumaDB: dynamodb_client <endpoint> <table-prefix>
// Runs every operation family the way Go applications write them (attributevalue for structs,
// the expression builder, paginators, the table waiter, typed errors through errors.As, the
// Streams client) and prints one JSON document of what each step observed.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
)

type order struct {
	Customer string            `dynamodbav:"customer"`
	Number   int               `dynamodbav:"number"`
	Total    float64           `dynamodbav:"total"`
	Lines    []line            `dynamodbav:"lines"`
	Tags     []string          `dynamodbav:"tags,stringset"`
	Paid     bool              `dynamodbav:"paid"`
	Note     *string           `dynamodbav:"note"`
	Meta     map[string]string `dynamodbav:"meta,omitempty"`
	Blob     []byte            `dynamodbav:"blob,omitempty"`
	Status   string            `dynamodbav:"status,omitempty"`
}

type line struct {
	Sku string `dynamodbav:"sku"`
	Qty int    `dynamodbav:"qty"`
}

var ctx = context.Background()
var out = map[string]any{}

// The SDK only logs what goes wrong below the API, such as a response whose CRC32 does not
// match its x-amz-crc32 header: every message it logs is kept and reported.
var logged = []string{}
var logger = logging.LoggerFunc(func(classification logging.Classification, format string, v ...interface{}) {
	logged = append(logged, fmt.Sprintf("%s %s", classification, fmt.Sprintf(format, v...)))
})

func must[T any](value T, err error) T {
	if err != nil {
		fail(err)
	}
	return value
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "unexpected error:", err)
	os.Exit(1)
}

// failure describes the error a call returned: its API error code, message and, where the SDK
// models them, the typed exception's fields.
func failure(err error) map[string]any {
	if err == nil {
		return nil
	}
	result := map[string]any{"error": err.Error()}
	var api smithy.APIError
	if errors.As(err, &api) {
		result["code"] = api.ErrorCode()
		result["message"] = api.ErrorMessage()
		result["fault"] = api.ErrorFault().String()
	}
	var conditional *types.ConditionalCheckFailedException
	result["conditional"] = errors.As(err, &conditional)
	var missing *types.ResourceNotFoundException
	result["notFound"] = errors.As(err, &missing)
	var inUse *types.ResourceInUseException
	result["inUse"] = errors.As(err, &inUse)
	var cancelled *types.TransactionCanceledException
	if errors.As(err, &cancelled) {
		reasons := []map[string]any{}
		for _, reason := range cancelled.CancellationReasons {
			reasons = append(reasons, map[string]any{"code": aws.ToString(reason.Code), "message": aws.ToString(reason.Message)})
		}
		result["reasons"] = reasons
	}
	return result
}

// plainBodies sends each request with a body that is only an io.ReadCloser. smithy-go as Debian
// packages it wraps the body in a reader whose WriteTo answers io.EOF once closed, and the SDK
// closes it as soon as the response headers are in. When the response beats net/http's write
// loop to the end of its request (it drains the body with io.Copy, which calls WriteTo), the loop
// takes that io.EOF for a failed write and closes the connection under the response body being
// read: "use of closed network connection" (fixed in smithy-go: WriteTo answers nil).
type plainBodies struct{ client *awshttp.BuildableClient }

func (p plainBodies) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body = struct{ io.ReadCloser }{req.Body}
	}
	return p.client.Do(req)
}

func main() {
	endpoint, prefix := os.Args[1], os.Args[2]
	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")
	client := dynamodb.New(dynamodb.Options{
		Region: "us-east-1", Credentials: creds, RetryMaxAttempts: 1, Logger: logger, HTTPClient: plainBodies{awshttp.NewBuildableClient()},
		EndpointResolver: dynamodb.EndpointResolverFromURL(endpoint),
	})
	// A second client that asks for gzip, as applications that set EnableAcceptEncodingGzip do.
	gzipClient := dynamodb.New(dynamodb.Options{
		Region: "us-east-1", Credentials: creds, RetryMaxAttempts: 1, Logger: logger, HTTPClient: plainBodies{awshttp.NewBuildableClient()}, EnableAcceptEncodingGzip: true,
		EndpointResolver: dynamodb.EndpointResolverFromURL(endpoint),
	})
	streams := dynamodbstreams.New(dynamodbstreams.Options{
		Region: "us-east-1", Credentials: creds, RetryMaxAttempts: 1, Logger: logger, HTTPClient: plainBodies{awshttp.NewBuildableClient()},
		EndpointResolver: dynamodbstreams.EndpointResolverFromURL(endpoint),
	})
	orders := prefix + "-orders"
	tables(client, orders, prefix)
	items(client, gzipClient, orders)
	batches(client, orders)
	reads(client, orders)
	transactions(client, orders)
	partiql(client, orders)
	streamRecords(streams, orders)
	must(client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(orders)}))
	waiter := dynamodb.NewTableNotExistsWaiter(client, func(o *dynamodb.TableNotExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 50*time.Millisecond, 200*time.Millisecond
	})
	out["deletedWaited"] = waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(orders)}, 10*time.Second) == nil
	out["logged"] = logged
	encoded := must(json.Marshal(out))
	fmt.Println(string(encoded))
}

func tables(client *dynamodb.Client, orders, prefix string) {
	created := must(client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(orders),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("customer"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("number"), AttributeType: types.ScalarAttributeTypeN},
			{AttributeName: aws.String("status"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("customer"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("number"), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName:  aws.String("by-status"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("status"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
		}},
		StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages},
	}))
	out["createStatus"] = string(created.TableDescription.TableStatus)
	waiter := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 50*time.Millisecond, 200*time.Millisecond
	})
	described := must(waiter.WaitForOutput(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(orders)}, 10*time.Second))
	out["waited"] = string(described.Table.TableStatus)
	out["gsi"] = aws.ToString(described.Table.GlobalSecondaryIndexes[0].IndexName)
	out["streamView"] = string(described.Table.StreamSpecification.StreamViewType)
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(orders), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("k"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("k"), KeyType: types.KeyTypeHash}},
	})
	out["createAgain"] = failure(err)
	listed := []string{}
	pages := dynamodb.NewListTablesPaginator(client, &dynamodb.ListTablesInput{Limit: aws.Int32(1)})
	for pages.HasMorePages() {
		for _, name := range must(pages.NextPage(ctx)).TableNames {
			if strings.HasPrefix(name, prefix) {
				listed = append(listed, name)
			}
		}
	}
	out["listed"] = listed
	must(client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(orders),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("expires"), Enabled: aws.Bool(true)},
	}))
	ttl := must(client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(orders)}))
	out["ttl"] = string(ttl.TimeToLiveDescription.TimeToLiveStatus)
	must(client.TagResource(ctx, &dynamodb.TagResourceInput{
		ResourceArn: described.Table.TableArn, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("db")}},
	}))
	tags := must(client.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: described.Table.TableArn}))
	out["tags"] = map[string]string{aws.ToString(tags.Tags[0].Key): aws.ToString(tags.Tags[0].Value)}
}
