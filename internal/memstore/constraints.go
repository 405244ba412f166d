package memstore

import (
	"fmt"
	"strings"
)

// constraints collects the service's request-shape checks ("1 validation
// error detected: Value 'x' at 'tableName' failed to satisfy constraint:
// ...") so several failures are reported together, as DynamoDB does.
type constraints struct{ msgs []string }

func (c *constraints) add(value any, field, constraint string) {
	v := "null"
	switch x := value.(type) {
	case nil:
	case *string:
		if x != nil {
			v = "'" + *x + "'"
		}
	case string:
		v = "'" + x + "'"
	default:
		v = fmt.Sprintf("'%v'", x)
	}
	c.msgs = append(c.msgs, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", v, field, constraint))
}

// addBare is add for a member the service does not echo ("Value at ...").
func (c *constraints) addBare(field, constraint string) {
	c.msgs = append(c.msgs, fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", field, constraint))
}

func (c *constraints) err() error {
	switch n := len(c.msgs); n {
	case 0:
		return nil
	case 1:
		return validationMsg("1 validation error detected: " + c.msgs[0])
	default:
		return validationMsg(fmt.Sprintf("%d validation errors detected: %s", n, strings.Join(c.msgs, "; ")))
	}
}

// nameChars reports whether s matches [a-zA-Z0-9_.-]+.
func nameChars(s string) bool {
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9', b == '_', b == '.', b == '-':
		default:
			return false
		}
	}
	return s != ""
}

// tableName checks a table or index name's length and characters.
func (c *constraints) name(value *string, field string, required bool) {
	if value == nil {
		if required {
			c.add(nil, field, "Member must not be null")
		}
		return
	}
	if !nameChars(*value) {
		c.add(value, field, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
	}
	if n := len(*value); n < 3 {
		c.add(value, field, "Member must have length greater than or equal to 3")
	} else if n > 255 {
		c.add(value, field, "Member must have length less than or equal to 255")
	}
}

func (c *constraints) notNull(present bool, field string) {
	if !present {
		c.add(nil, field, "Member must not be null")
	}
}
