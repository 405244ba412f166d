package expr

import "strconv"

// DynamoDB rejects expressions over 4 KB and with more than 300 operators
// and functions before it looks any further.
const (
	maxExpressionBytes = 4096
	maxOperators       = 300
	// maxNesting caps recursion. A 4 KB expression cannot nest deeper, so
	// the cap only guards the parser itself.
	maxNesting = 2100
)

const msgRedundantParens = "The expression has redundant parentheses;"

// bailout carries a syntax error out of the recursive descent; the entry
// points recover it and nothing else.
type bailout struct{ msg string }

type parser struct {
	src   string
	toks  []token
	pos   int
	depth int
	ops   int // operators and functions seen, for the 300 limit
	// nestedParens accepts parentheses straight around parentheses, which
	// DynamoDB refuses in conditions and filters but not in key conditions.
	nestedParens bool
}

func newParser(src string) *parser { return &parser{src: src, toks: lex(src)} }

// run calls f and turns a bailout into its message.
func (p *parser) run(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			msg = b.msg
		}
	}()
	f()
	if p.ops > maxOperators {
		// DynamoDB stops counting at the first operator over the limit.
		return "The expression contains too many operators; operator count: " + strconv.Itoa(maxOperators+1)
	}
	return ""
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) peekAt(k int) tokKind {
	if i := p.pos + k; i < len(p.toks) {
		return p.toks[i].kind
	}
	return tEOF
}

func (p *parser) next() token {
	t := p.toks[p.pos]
	if p.pos < len(p.toks)-1 {
		p.pos++
	}
	return t
}

func (p *parser) expect(k tokKind) token {
	if p.peek().kind != k {
		p.fail()
	}
	return p.next()
}

// fail reports a syntax error at the current token, in DynamoDB's form: the
// offending token, and the source from the token before it to the one after.
func (p *parser) fail() {
	at := p.pos
	tok := p.toks[at]
	from, to := 0, tok.end
	if at > 0 {
		from = p.toks[at-1].start
	}
	if at+1 < len(p.toks) {
		to = p.toks[at+1].end
	}
	panic(bailout{`Syntax error; token: "` + tok.text + `", near: "` + p.src[from:to] + `"`})
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxNesting {
		p.fail()
	}
}

func (p *parser) leave() { p.depth-- }

func (p *parser) end() {
	if p.peek().kind != tEOF {
		p.fail()
	}
}

// parseConditionSyntax reads a condition (also filters and key conditions).
func parseConditionSyntax(src string) (c cond, msg string) {
	return parseConditionWith(newParser(src))
}

// parseKeyConditionSyntax reads a key condition, where redundant
// parentheses are allowed.
func parseKeyConditionSyntax(src string) (c cond, msg string) {
	p := newParser(src)
	p.nestedParens = true
	return parseConditionWith(p)
}

func parseConditionWith(p *parser) (c cond, msg string) {
	msg = p.run(func() {
		c = p.orExpr(false).c
		p.end()
	})
	return c, msg
}

// parseUpdateSyntax reads an update expression into its sections.
func parseUpdateSyntax(src string) (secs []section, msg string) {
	p := newParser(src)
	msg = p.run(func() {
		secs = p.update()
		p.end()
	})
	return secs, msg
}

// parseProjectionSyntax reads a comma-separated list of paths.
func parseProjectionSyntax(src string) (paths []Path, msg string) {
	p := newParser(src)
	msg = p.run(func() {
		paths = append(paths, p.path())
		for p.peek().kind == tComma {
			p.next()
			paths = append(paths, p.path())
		}
		p.end()
	})
	return paths, msg
}

// group is what a (possibly parenthesized) piece of a condition turned out
// to be. Inside parentheses the parser cannot know in advance whether it
// reads a condition, as in "(a = :v)", or an operand, as in "(a) = :v", so
// it reads either and decides when it sees what follows.
type group struct {
	c     cond    // the condition; nil for a bare operand
	op    operand // the operand, for a bare operand or a lone function call
	paren bool    // the whole group is wrapped in parentheses
}

func (p *parser) orExpr(allowBare bool) group {
	l := p.andExpr(allowBare)
	for l.c != nil && p.peek().kind == tOr {
		p.next()
		p.ops++
		r := p.andExpr(false)
		l = group{c: &orNode{l: l.c, r: r.c}}
	}
	return l
}

func (p *parser) andExpr(allowBare bool) group {
	l := p.notExpr(allowBare)
	for l.c != nil && p.peek().kind == tAnd {
		p.next()
		p.ops++
		r := p.notExpr(false)
		l = group{c: &andNode{l: l.c, r: r.c}}
	}
	return l
}

// notExpr: NOT binds tighter than AND and OR, looser than comparisons.
func (p *parser) notExpr(allowBare bool) group {
	if p.peek().kind != tNot {
		return p.primary(allowBare)
	}
	p.next()
	p.ops++
	p.enter()
	x := p.notExpr(false)
	p.leave()
	return group{c: &notNode{x: x.c}}
}

func (p *parser) primary(allowBare bool) group {
	if p.peek().kind != tLParen {
		op, _ := p.operand()
		return p.comparison(op, false, allowBare)
	}
	p.next()
	p.enter()
	inner := p.orExpr(true)
	p.expect(tRParen)
	p.leave()
	// DynamoDB refuses parentheses straight around parentheses as soon as
	// it closes the outer pair.
	if inner.paren && !p.nestedParens {
		panic(bailout{msgRedundantParens})
	}
	if inner.c == nil || inner.op != nil && isComparison(p.peek().kind) {
		return p.comparison(inner.op, true, allowBare)
	}
	return group{c: inner.c, op: inner.op, paren: true}
}

func isComparison(k tokKind) bool {
	switch k {
	case tEQ, tNE, tLT, tLE, tGT, tGE, tBetween, tIn:
		return true
	}
	return false
}

// comparison reads what follows a condition's first operand.
func (p *parser) comparison(l operand, lParen, allowBare bool) group {
	switch t := p.peek(); t.kind {
	case tEQ, tNE, tLT, tLE, tGT, tGE:
		p.next()
		p.ops++
		r, _ := p.operand()
		return group{c: &cmpNode{op: t.text, l: l, r: r}}
	case tBetween:
		p.next()
		p.ops++
		lo, _ := p.operand()
		p.expect(tAnd)
		hi, _ := p.operand()
		return group{c: &betweenNode{x: l, lo: lo, hi: hi}}
	case tIn:
		p.next()
		p.ops++
		p.expect(tLParen)
		var list []operand
		for {
			o, _ := p.operand()
			list = append(list, o)
			if p.peek().kind != tComma {
				break
			}
			p.next()
		}
		p.expect(tRParen)
		return group{c: &inNode{x: l, list: list}}
	}
	if call, ok := l.(*callOp); ok && !lParen {
		return group{c: &funcNode{call: call}, op: call}
	}
	if allowBare && p.peek().kind == tRParen {
		return group{op: l, paren: lParen}
	}
	p.fail()
	return group{}
}

// operand reads a path, a :value, a function call or a parenthesized
// operand; paren reports the outer parentheses.
func (p *parser) operand() (o operand, paren bool) {
	switch t := p.peek(); t.kind {
	case tLParen:
		p.next()
		p.enter()
		inner, innerParen := p.operand()
		p.expect(tRParen)
		p.leave()
		if innerParen {
			panic(bailout{msgRedundantParens})
		}
		return inner, true
	case tValue:
		p.next()
		return &valueOp{ref: t.text}, false
	case tIdent:
		if p.peekAt(1) == tLParen {
			return p.call(), false
		}
		return &pathOp{path: p.path()}, false
	case tName:
		return &pathOp{path: p.path()}, false
	}
	p.fail()
	return nil, false
}

func (p *parser) call() *callOp {
	name := p.next().text
	p.next() // (
	p.ops++
	p.enter()
	c := &callOp{name: name}
	for {
		a, _ := p.operand()
		c.args = append(c.args, a)
		if p.peek().kind != tComma {
			break
		}
		p.next()
	}
	p.expect(tRParen)
	p.leave()
	return c
}

// path reads name ( .name | [index] )*, where a name may be a #placeholder.
func (p *parser) path() Path {
	var elems []PathElem
	for {
		t := p.peek()
		switch t.kind {
		case tIdent:
			elems = append(elems, PathElem{Name: t.text})
		case tName:
			elems = append(elems, PathElem{ref: t.text})
		default:
			p.fail()
		}
		p.next()
		for p.peek().kind == tLBrack {
			p.next()
			t := p.expect(tIndex)
			p.expect(tRBrack)
			elems = append(elems, indexElem(t.text))
		}
		if p.peek().kind != tDot {
			return Path{Elems: elems}
		}
		p.next()
	}
}

// indexElem records an index too large for DynamoDB as -1, for the
// validation pass to report with its digits.
func indexElem(digits string) PathElem {
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || len(digits) > 10 || n > 1<<31-1 {
		return PathElem{IsIndex: true, Index: -1, ref: digits}
	}
	return PathElem{IsIndex: true, Index: int(n), ref: digits}
}

func (p *parser) update() []section {
	var secs []section
	for {
		var kind actionKind
		switch p.peek().kind {
		case tSet:
			kind = actSet
		case tRemove:
			kind = actRemove
		case tAdd:
			kind = actAdd
		case tDelete:
			kind = actDelete
		default:
			p.fail()
		}
		p.next()
		sec := section{kind: kind}
		for {
			sec.actions = append(sec.actions, p.action(kind))
			if p.peek().kind != tComma {
				break
			}
			p.next()
		}
		secs = append(secs, sec)
		if p.peek().kind == tEOF {
			return secs
		}
	}
}

func (p *parser) action(kind actionKind) action {
	a := action{kind: kind, path: p.path()}
	switch kind {
	case actSet:
		p.expect(tEQ)
		a.value = p.setValue()
	case actAdd, actDelete:
		a.value = &valueOp{ref: p.expect(tValue).text}
	}
	return a
}

// setValue reads operand, or operand + operand, or operand - operand, any
// of them parenthesized.
func (p *parser) setValue() operand {
	var v operand
	arith := false
	if p.peek().kind == tLParen {
		v, arith, _ = p.parenValue()
	} else {
		v, _ = p.operand()
	}
	if !arith {
		v = p.arithmetic(v)
	}
	return v
}

func (p *parser) arithmetic(l operand) operand {
	switch t := p.peek(); t.kind {
	case tPlus, tMinus:
		p.next()
		p.ops++
		r, _ := p.operand()
		return &arithOp{op: t.text[0], l: l, r: r}
	}
	return l
}

func (p *parser) parenValue() (v operand, arith, paren bool) {
	p.next()
	p.enter()
	var inner operand
	var innerArith, innerParen bool
	if p.peek().kind == tLParen {
		inner, innerArith, innerParen = p.parenValue()
	} else {
		inner, innerParen = p.operand()
	}
	if !innerArith {
		if a := p.arithmetic(inner); a != inner {
			inner, innerArith, innerParen = a, true, false
		}
	}
	p.expect(tRParen)
	p.leave()
	if innerParen {
		panic(bailout{msgRedundantParens})
	}
	return inner, innerArith, true
}
