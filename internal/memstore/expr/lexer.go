package expr

import (
	"strings"
	"unicode/utf8"
)

type tokKind uint8

// Token kinds follow DynamoDB's expression lexer: keywords are reserved in
// every expression language (so "set = :v" is a syntax error even in a
// condition), names start with a letter, and list indexes have no leading
// zero ("01" is two tokens).
const (
	tEOF     tokKind = iota
	tIdent           // attribute or function name
	tName            // #placeholder
	tValue           // :placeholder
	tIndex           // list index digits
	tString          // a quoted literal; never valid, but one token
	tUnknown         // any other single character
	tAnd
	tOr
	tNot
	tBetween
	tIn
	tSet
	tRemove
	tAdd
	tDelete
	tEQ
	tNE
	tLT
	tLE
	tGT
	tGE
	tPlus
	tMinus
	tLParen
	tRParen
	tLBrack
	tRBrack
	tComma
	tDot
)

type token struct {
	kind       tokKind
	text       string
	start, end int // byte offsets in the source
}

var keywords = []struct {
	word string
	kind tokKind
}{
	{"AND", tAnd}, {"OR", tOr}, {"NOT", tNot}, {"BETWEEN", tBetween}, {"IN", tIn},
	{"SET", tSet}, {"REMOVE", tRemove}, {"ADD", tAdd}, {"DELETE", tDelete},
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isWord(c byte) bool   { return isLetter(c) || isDigit(c) || c == '_' }

// lex splits src into tokens, always ending with tEOF. It never fails:
// anything unexpected becomes a tUnknown token for the parser to report.
func lex(src string) []token {
	toks := make([]token, 0, len(src)/3+2)
	i := 0
	for i < len(src) {
		c := src[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			i++
			continue
		}
		start := i
		kind := tUnknown
		switch {
		case isLetter(c):
			for i < len(src) && isWord(src[i]) {
				i++
			}
			kind = tIdent
			for _, kw := range keywords {
				if strings.EqualFold(src[start:i], kw.word) {
					kind = kw.kind
					break
				}
			}
		case c == '#' || c == ':':
			i++
			for i < len(src) && isWord(src[i]) {
				i++
			}
			switch {
			case i == start+1:
				kind = tUnknown
			case c == '#':
				kind = tName
			default:
				kind = tValue
			}
		case isDigit(c):
			i++
			if c != '0' {
				for i < len(src) && isDigit(src[i]) {
					i++
				}
			}
			kind = tIndex
		case c == '"' || c == '\'':
			if end := quotedEnd(src, i); end > 0 {
				i = end
				kind = tString
			} else {
				i++
			}
		default:
			i++
			switch c {
			case '=':
				kind = tEQ
			case '<':
				kind = tLT
				if i < len(src) && src[i] == '>' {
					i, kind = i+1, tNE
				} else if i < len(src) && src[i] == '=' {
					i, kind = i+1, tLE
				}
			case '>':
				kind = tGT
				if i < len(src) && src[i] == '=' {
					i, kind = i+1, tGE
				}
			case '+':
				kind = tPlus
			case '-':
				kind = tMinus
			case '(':
				kind = tLParen
			case ')':
				kind = tRParen
			case '[':
				kind = tLBrack
			case ']':
				kind = tRBrack
			case ',':
				kind = tComma
			case '.':
				kind = tDot
			default:
				if c >= utf8.RuneSelf {
					_, n := utf8.DecodeRuneInString(src[start:])
					i = start + n
				}
			}
		}
		toks = append(toks, token{kind: kind, text: src[start:i], start: start, end: i})
	}
	return append(toks, token{kind: tEOF, text: "<EOF>", start: len(src), end: len(src)})
}

// quotedEnd returns the offset just past the closing quote of the literal
// opening at i (a backslash escapes the quote), or 0 if it is unterminated.
func quotedEnd(src string, i int) int {
	q := src[i]
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			if j+1 < len(src) && src[j+1] == q {
				j++
			}
		case q:
			return j + 1
		}
	}
	return 0
}
