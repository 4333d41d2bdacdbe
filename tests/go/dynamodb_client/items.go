package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func key(customer string, number int) map[string]types.AttributeValue {
	return must(attributevalue.MarshalMap(map[string]any{"customer": customer, "number": number}))
}

func items(client, gzipClient *dynamodb.Client, orders string) {
	note := "leave at the door"
	first := order{
		Customer: "ann", Number: 1, Total: 12.5, Lines: []line{{"a", 2}, {"b", 1}}, Tags: []string{"gift", "new"},
		Note: &note, Meta: map[string]string{"source": "web"}, Blob: []byte{0, 1, 2, 255}, Status: "open",
	}
	must(client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(orders), Item: must(attributevalue.MarshalMap(first))}))
	got := must(client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(orders), Key: key("ann", 1), ConsistentRead: aws.Bool(true)}))
	var read order
	must(0, attributevalue.UnmarshalMap(got.Item, &read))
	sort.Strings(read.Tags)
	out["roundTrip"] = read
	viaGzip := must(gzipClient.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(orders), Key: key("ann", 1)}))
	out["gzipTotal"] = viaGzip.Item["total"].(*types.AttributeValueMemberN).Value

	update := expression.Set(expression.Name("paid"), expression.Value(true)).
		Set(expression.Name("total"), expression.Name("total").Plus(expression.Value(2.5))).
		Set(expression.Name("lines"), expression.ListAppend(expression.Name("lines"), expression.Value([]line{{"c", 3}}))).
		Remove(expression.Name("note")).
		Add(expression.Name("visits"), expression.Value(1))
	condition := expression.Name("paid").Equal(expression.Value(false))
	built := must(expression.NewBuilder().WithUpdate(update).WithCondition(condition).Build())
	updated := must(client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(orders), Key: key("ann", 1),
		UpdateExpression: built.Update(), ConditionExpression: built.Condition(),
		ExpressionAttributeNames: built.Names(), ExpressionAttributeValues: built.Values(),
		ReturnValues: types.ReturnValueAllNew,
	}))
	var after map[string]any
	must(0, attributevalue.UnmarshalMap(updated.Attributes, &after))
	out["updated"] = map[string]any{"paid": after["paid"], "total": after["total"], "visits": after["visits"],
		"lines": len(after["lines"].([]any)), "hasNote": after["note"] != nil}
	// The same update again: its condition (paid = false) now fails.
	_, err := client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(orders), Key: key("ann", 1),
		UpdateExpression: built.Update(), ConditionExpression: built.Condition(),
		ExpressionAttributeNames: built.Names(), ExpressionAttributeValues: built.Values(),
	})
	out["conditionFailed"] = failure(err)
	_, err = client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(orders + "-nope"), Key: key("ann", 1)})
	out["missingTable"] = failure(err)
	_, err = client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(orders), Key: must(attributevalue.MarshalMap(map[string]any{"customer": "ann"}))})
	out["badKey"] = failure(err)
	_, err = client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(orders), Item: map[string]types.AttributeValue{
		"customer": &types.AttributeValueMemberS{Value: "ann"}, "number": &types.AttributeValueMemberN{Value: "2"},
		"big": &types.AttributeValueMemberS{Value: strings.Repeat("x", 400*1024)},
	}})
	out["tooLarge"] = failure(err)
	deleted := must(client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(orders), Key: key("ann", 1), ReturnValues: types.ReturnValueAllOld,
	}))
	out["deletedTotal"] = deleted.Attributes["total"].(*types.AttributeValueMemberN).Value
}

func batches(client *dynamodb.Client, orders string) {
	unprocessed := 0
	for start := 0; start < 60; start += 25 {
		requests := []types.WriteRequest{}
		for n := start; n < start+25 && n < 60; n++ {
			item := must(attributevalue.MarshalMap(order{
				Customer: "bob", Number: n, Total: float64(n), Tags: []string{"bulk"},
				Meta: map[string]string{"pad": strings.Repeat("x", 30000)}, Status: []string{"open", "shipped"}[n%2],
			}))
			requests = append(requests, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
		}
		written := must(client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{orders: requests}}))
		unprocessed += len(written.UnprocessedItems)
	}
	out["unprocessed"] = unprocessed
	projection := must(expression.NewBuilder().WithProjection(expression.NamesList(expression.Name("number"), expression.Name("total"))).Build())
	got := must(client.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		orders: {Keys: []map[string]types.AttributeValue{key("bob", 3), key("bob", 4), key("bob", 99)},
			ProjectionExpression: projection.Projection(), ExpressionAttributeNames: projection.Names()},
	}}))
	var rows []struct {
		Number int     `dynamodbav:"number"`
		Total  float64 `dynamodbav:"total"`
	}
	must(0, attributevalue.UnmarshalListOfMaps(got.Responses[orders], &rows))
	numbers := []int{}
	for _, row := range rows {
		numbers = append(numbers, row.Number)
	}
	sort.Ints(numbers)
	out["batchGet"] = numbers
}

func reads(client *dynamodb.Client, orders string) {
	keyCondition := expression.Key("customer").Equal(expression.Value("bob")).And(expression.Key("number").GreaterThanEqual(expression.Value(10)))
	query := must(expression.NewBuilder().WithKeyCondition(keyCondition).Build())
	// 50 items of ~30 KB: a Query page ends at 1 MB, so the paginator follows LastEvaluatedKey.
	pages := dynamodb.NewQueryPaginator(client, &dynamodb.QueryInput{
		TableName: aws.String(orders), KeyConditionExpression: query.KeyCondition(),
		ExpressionAttributeNames: query.Names(), ExpressionAttributeValues: query.Values(), ScanIndexForward: aws.Bool(false),
	})
	numbers, pageCount := []int{}, 0
	for pages.HasMorePages() {
		page := must(pages.NextPage(ctx))
		pageCount++
		var rows []order
		must(0, attributevalue.UnmarshalListOfMaps(page.Items, &rows))
		for _, row := range rows {
			numbers = append(numbers, row.Number)
		}
	}
	out["query"] = numbers
	out["queryPages"] = pageCount
	filter := must(expression.NewBuilder().WithFilter(expression.Name("total").LessThan(expression.Value(30))).Build())
	scanned := 0
	scans := dynamodb.NewScanPaginator(client, &dynamodb.ScanInput{
		TableName: aws.String(orders), Limit: aws.Int32(9), FilterExpression: filter.Filter(),
		ExpressionAttributeNames: filter.Names(), ExpressionAttributeValues: filter.Values(),
	})
	for scans.HasMorePages() {
		scanned += int(must(scans.NextPage(ctx)).Count)
	}
	out["scanCount"] = scanned
	onIndex := must(expression.NewBuilder().WithKeyCondition(expression.Key("status").Equal(expression.Value("shipped"))).Build())
	indexed := must(client.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(orders), IndexName: aws.String("by-status"), KeyConditionExpression: onIndex.KeyCondition(),
		ExpressionAttributeNames: onIndex.Names(), ExpressionAttributeValues: onIndex.Values(), Select: types.SelectCount,
	}))
	out["indexCount"] = indexed.Count
	_, err := client.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(orders), KeyConditionExpression: aws.String("customer = :c AND"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": &types.AttributeValueMemberS{Value: "bob"}},
	})
	out["badExpression"] = failure(err)
}

func transactions(client *dynamodb.Client, orders string) {
	must(client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
		ClientRequestToken: aws.String(fmt.Sprintf("%s-token", orders)),
		TransactItems: []types.TransactWriteItem{
			{Put: &types.Put{TableName: aws.String(orders), Item: must(attributevalue.MarshalMap(order{Customer: "cy", Number: 1, Total: 1}))}},
			{Update: &types.Update{TableName: aws.String(orders), Key: key("bob", 0), UpdateExpression: aws.String("SET touched = :t"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberBOOL{Value: true}}}},
		},
	}))
	_, err := client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(orders), Item: must(attributevalue.MarshalMap(order{Customer: "cy", Number: 2}))}},
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String(orders), Key: key("cy", 1), ConditionExpression: aws.String("#total = :two"),
			ExpressionAttributeNames: map[string]string{"#total": "total"}, ExpressionAttributeValues: map[string]types.AttributeValue{":two": &types.AttributeValueMemberN{Value: "2"}}}},
	}})
	out["cancelled"] = failure(err)
	got := must(client.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
		{Get: &types.Get{TableName: aws.String(orders), Key: key("cy", 1)}},
		{Get: &types.Get{TableName: aws.String(orders), Key: key("cy", 2)}},
	}}))
	found := []bool{}
	for _, response := range got.Responses {
		found = append(found, response.Item != nil)
	}
	out["transactGet"] = found
}

func partiql(client *dynamodb.Client, orders string) {
	statement := fmt.Sprintf(`SELECT "number", total FROM "%s" WHERE customer = ? AND "number" < ?`, orders)
	selected := must(client.ExecuteStatement(ctx, &dynamodb.ExecuteStatementInput{
		Statement:  aws.String(statement),
		Parameters: []types.AttributeValue{&types.AttributeValueMemberS{Value: "bob"}, &types.AttributeValueMemberN{Value: "3"}},
	}))
	var rows []order
	must(0, attributevalue.UnmarshalListOfMaps(selected.Items, &rows))
	numbers := []int{}
	for _, row := range rows {
		numbers = append(numbers, row.Number)
	}
	out["partiql"] = numbers
	_, err := client.ExecuteStatement(ctx, &dynamodb.ExecuteStatementInput{
		Statement: aws.String(fmt.Sprintf(`INSERT INTO "%s" VALUE {'customer': 'cy', 'number': 1}`, orders)),
	})
	out["partiqlDuplicate"] = failure(err)
}
