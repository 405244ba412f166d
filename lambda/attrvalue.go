package lambda

import (
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Item is a DynamoDB item in the AWS SDK's types: what stream images are
// converted to before they are decoded into a model.
type Item = map[string]types.AttributeValue

// itemOf converts a stream image from aws-lambda-go's attribute values to
// the SDK's, so the same decoders serve stream records and the table.
func itemOf(image map[string]events.DynamoDBAttributeValue) Item {
	if image == nil {
		return nil
	}
	item := make(Item, len(image))
	for k, v := range image {
		item[k] = attrOf(v)
	}
	return item
}

func attrOf(v events.DynamoDBAttributeValue) types.AttributeValue {
	if v.IsNull() { // also the zero value, whose accessors panic
		return &types.AttributeValueMemberNULL{Value: true}
	}
	switch v.DataType() {
	case events.DataTypeString:
		return &types.AttributeValueMemberS{Value: v.String()}
	case events.DataTypeNumber:
		return &types.AttributeValueMemberN{Value: v.Number()}
	case events.DataTypeBinary:
		return &types.AttributeValueMemberB{Value: v.Binary()}
	case events.DataTypeBoolean:
		return &types.AttributeValueMemberBOOL{Value: v.Boolean()}
	case events.DataTypeStringSet:
		return &types.AttributeValueMemberSS{Value: v.StringSet()}
	case events.DataTypeNumberSet:
		return &types.AttributeValueMemberNS{Value: v.NumberSet()}
	case events.DataTypeBinarySet:
		return &types.AttributeValueMemberBS{Value: v.BinarySet()}
	case events.DataTypeList:
		l := v.List()
		out := make([]types.AttributeValue, len(l))
		for i, e := range l {
			out[i] = attrOf(e)
		}
		return &types.AttributeValueMemberL{Value: out}
	case events.DataTypeMap:
		m := itemOf(v.Map())
		if m == nil {
			m = Item{}
		}
		return &types.AttributeValueMemberM{Value: m}
	}
	return &types.AttributeValueMemberNULL{Value: true}
}
