package expr

import (
	_ "embed"
	"strings"
)

// The list lives in a data file so it can be compared line by line with the
// Developer Guide page it comes from.
//
//go:embed reserved_words.txt
var reservedWordsText string

var reservedWords = func() map[string]struct{} {
	m := make(map[string]struct{}, 600)
	for _, line := range strings.Split(reservedWordsText, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m[strings.ToUpper(line)] = struct{}{}
	}
	return m
}()

// IsReserved reports whether name is one of DynamoDB's reserved words, which
// may not appear as attribute names in an expression without a #placeholder.
func IsReserved(name string) bool {
	_, ok := reservedWords[strings.ToUpper(name)]
	return ok
}
