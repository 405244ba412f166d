package expr

// Error is a validation failure worded exactly as DynamoDB words it; the
// engine returns Error() verbatim as a ValidationException message.
type Error struct {
	msg   string
	cause error
}

func (e *Error) Error() string { return e.msg }

// Unwrap returns the attribute-value error behind an invalid
// ExpressionAttributeValues entry or a number out of range, if any.
func (e *Error) Unwrap() error { return e.cause }

func newError(msg string) *Error { return &Error{msg: msg} }

// Errors raised while applying an update to an item, in DynamoDB's words.
var (
	ErrMissingAttribute = newError("The provided expression refers to an attribute that does not exist in the item")
	ErrOperandType      = newError("An operand in the update expression has an incorrect data type")
	ErrInvalidPath      = newError("The document path provided in the update expression is invalid for update")
	ErrTypeMismatch     = newError("Type mismatch for attribute to update")
)

// invalid prefixes a message with the expression it is about, as DynamoDB
// does for everything it finds while reading an expression.
func invalid(kind Kind, msg string) *Error {
	return newError("Invalid " + string(kind) + ": " + msg)
}
