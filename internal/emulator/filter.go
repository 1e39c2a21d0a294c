package emulator

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/entra-b2b/terraform-provider-b2b/internal/userprop"
)

// A small OData $filter evaluator covering what Graph supports on users.
// https://learn.microsoft.com/graph/filter-query-parameter,
// https://learn.microsoft.com/graph/aad-advanced-queries (which operators
// need ConsistencyLevel: eventual and $count=true).

type filterError struct {
	code, msg string
}

func (e *filterError) Error() string { return e.msg }

func unsupportedProp(prop string) error {
	return &filterError{"Request_UnsupportedQuery", fmt.Sprintf(
		"Unsupported or invalid query filter clause specified for property '%s' of resource 'User'.", prop)}
}

func syntaxErr(pos int, src string) error {
	return &filterError{"BadRequest", fmt.Sprintf("Invalid filter clause: Syntax error at position %d in '%s'.", pos, src)}
}

// support is one cell of the user table in the Graph docs' filter
// include (includes/filter-directory-objects.md, rendered on
// https://learn.microsoft.com/graph/aad-advanced-queries#user-properties).
type support byte

const (
	// notFilterable: a blank cell ("the query is not valid for that
	// property") or a NotSupported one. Refused even as an advanced query.
	notFilterable support = iota
	// byDefault: works without the advanced query parameters.
	byDefault
	// advancedOnly: needs ConsistencyLevel: eventual and $count=true.
	advancedOnly
)

// filterRow is one row of that table for a property the emulator models.
// The operators the table has no column for follow the page's rules:
// "in" is supported whenever "eq" is, with the same mode; "ne" and "not"
// are advanced-only on every property that supports "eq"; "endsWith" is
// advanced-only and only on mail, otherMails, userPrincipalName and
// proxyAddresses; "gt" and "lt" are not in the table and are refused.
type filterRow struct {
	name                        string
	eq, startsWith, geLe, isNil support
	endsWith                    bool // advanced-only endsWith (the page's list)
	collection                  bool // filtered only through /any(p:p ...)
}

// userFilterTable is the user table of includes/filter-directory-objects.md
// (microsoftgraph/microsoft-graph-docs-contrib, concepts/includes/, stored
// version 039d8ebc), restricted to the properties the emulator models;
// "Properties that are not listed here do not support $filter at all".
//
// The rows are derived from the filter column of the user-property table
// (internal/userprop, which carries the transcription and its citations)
// and, for the properties only the emulator models, from emulatorOnlyProps;
// TestUserFilterTableMatchesDocs pins the result to the docs' table.
var userFilterTable = append(filterRowsOf(userprop.Users), filterRowsOf(emulatorOnlyProps)...)

// filterRows indexes userFilterTable by Graph's spelling.
var filterRows = func() map[string]filterRow {
	m := make(map[string]filterRow, len(userFilterTable))
	for _, r := range userFilterTable {
		m[r.name] = r
	}
	return m
}()

type pred func(u *user) bool

type fparser struct {
	src      string
	toks     []ftok
	i        int
	advanced bool // ConsistencyLevel: eventual and $count=true
	hasLevel bool // ConsistencyLevel: eventual present
	// signIn and other count the clauses on signInActivity and on other
	// properties (signin.go: signInActivity is filtered only alone).
	signIn, other int
}

type ftok struct {
	kind byte // 'i' ident, 's' string, 'p' punct, 'l' literal
	v    string
	pos  int
}

func lexFilter(src string) ([]ftok, error) {
	var out []ftok
	for i := 0; i < len(src); {
		c := src[i]
		switch c {
		case ' ', '\t':
			i++
		case '(', ')', ',', ':', '/':
			out = append(out, ftok{'p', string(c), i})
			i++
		case '\'':
			v, next, err := lexString(src, i)
			if err != nil {
				return nil, err
			}
			out = append(out, ftok{'s', v, i})
			i = next
		default:
			t, err := lexWord(src, i)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
			i += len(t.v)
		}
	}
	return out, nil
}

// lexString reads the quoted string starting at src[i] (” is a quote)
// and returns it and the index after its closing quote.
func lexString(src string, i int) (string, int, error) {
	var sb strings.Builder
	for j := i + 1; j < len(src); j++ {
		if src[j] != '\'' {
			sb.WriteByte(src[j])
			continue
		}
		if j+1 < len(src) && src[j+1] == '\'' {
			sb.WriteByte('\'')
			j++
			continue
		}
		return sb.String(), j + 1, nil
	}
	return "", 0, syntaxErr(i, src)
}

// lexWord reads an identifier or a literal starting at src[i].
func lexWord(src string, i int) (ftok, error) {
	c := src[i]
	// Literals (numbers, dates like 2024-01-02T03:04:05Z, GUIDs)
	// may contain ':' which otherwise separates a lambda variable.
	stops := " \t(),:/'"
	if unicode.IsDigit(rune(c)) || c == '-' {
		stops = " \t(),"
	}
	j := i
	for j < len(src) && !strings.ContainsRune(stops, rune(src[j])) {
		j++
	}
	if j == i {
		return ftok{}, syntaxErr(i, src)
	}
	w := src[i:j]
	kind := byte('i')
	if unicode.IsDigit(rune(w[0])) || w[0] == '-' {
		kind = 'l'
	}
	return ftok{kind, w, i}, nil
}

func parseFilter(src string, hasLevel, advanced bool) (pred, error) {
	toks, err := lexFilter(src)
	if err != nil {
		return nil, err
	}
	p := &fparser{src: src, toks: toks, advanced: advanced, hasLevel: hasLevel}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i != len(p.toks) {
		return nil, syntaxErr(p.toks[p.i].pos, src)
	}
	return e, p.checkSignInAlone()
}

func (p *fparser) peek() *ftok {
	if p.i < len(p.toks) {
		return &p.toks[p.i]
	}
	return nil
}

func (p *fparser) next() (ftok, error) {
	if p.i >= len(p.toks) {
		return ftok{}, syntaxErr(len(p.src), p.src)
	}
	t := p.toks[p.i]
	p.i++
	return t, nil
}

func (p *fparser) expect(v string) error {
	t, err := p.next()
	if err != nil {
		return err
	}
	if t.v != v {
		return syntaxErr(t.pos, p.src)
	}
	return nil
}

func (p *fparser) isWord(w string) bool {
	t := p.peek()
	return t != nil && t.kind == 'i' && strings.EqualFold(t.v, w)
}

func (p *fparser) or() (pred, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.isWord("or") {
		p.i++
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		a, b := l, r
		l = func(u *user) bool { return a(u) || b(u) }
	}
	return l, nil
}

func (p *fparser) and() (pred, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.isWord("and") {
		p.i++
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		a, b := l, r
		l = func(u *user) bool { return a(u) && b(u) }
	}
	return l, nil
}

// needAdvanced reports Graph's error for an operator that only works as
// an advanced query.
func (p *fparser) needAdvanced(op string) error {
	if p.advanced {
		return nil
	}
	if !p.hasLevel {
		return &filterError{"Request_UnsupportedQuery", fmt.Sprintf(
			"Operator '%s' is not supported because the 'ConsistencyLevel:eventual' header is missing. Refer to https://aka.ms/graph-docs/advanced-queries for more information", op)}
	}
	return &filterError{"Request_UnsupportedQuery", fmt.Sprintf(
		"Operator '%s' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information", op)}
}

func (p *fparser) unary() (pred, error) {
	if p.isWord("not") {
		p.i++
		if err := p.needAdvanced("not"); err != nil {
			return nil, err
		}
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		return func(u *user) bool { return !e(u) }, nil
	}
	return p.primary()
}

// filterRowOf resolves a property named in $filter to its table row.
func filterRowOf(prop string) (filterRow, error) {
	name, ok := knownProp(prop)
	if !ok {
		return filterRow{}, &filterError{"Request_BadRequest", fmt.Sprintf("Could not find a property named '%s' on type 'microsoft.graph.user'.", prop)}
	}
	row, ok := filterRows[name]
	if !ok {
		return filterRow{}, unsupportedProp(name)
	}
	return row, nil
}

// require applies one table cell. A property whose cell is advanced-only
// answers, without the advanced parameters, the same error as a property
// that cannot be filtered at all: that is what Graph is observed to say
// for companyName and officeLocation
// (microsoftgraph/microsoft-graph-docs-contrib#1326 and #3260,
// pnp/powershell#4519, which works once $count=true and the header are added).
func (p *fparser) require(name string, s support) error {
	switch {
	case s == byDefault, s == advancedOnly && p.advanced:
		return nil
	default:
		return unsupportedProp(name)
	}
}

// checkOp resolves prop and checks that op (eq, ne, in, ge, le, gt, lt,
// startswith, endswith; null when the literal is null) is allowed on it.
func (p *fparser) checkOp(prop, op string, null bool) (string, error) {
	row, err := filterRowOf(prop)
	if err != nil {
		return "", err
	}
	if row.collection {
		// Collections are filtered only through a lambda (otherMails/any(...)).
		return "", unsupportedProp(row.name)
	}
	eq := row.eq
	if null {
		eq = row.isNil
	}
	switch op {
	case "eq", "in":
		return row.name, p.require(row.name, eq)
	case "ne":
		if eq == notFilterable {
			return "", unsupportedProp(row.name)
		}
		if err := p.require(row.name, eq); err != nil {
			return "", err
		}
		return row.name, p.needAdvanced("ne")
	case "startswith":
		return row.name, p.require(row.name, row.startsWith)
	case "endswith":
		if !row.endsWith {
			return "", unsupportedProp(row.name)
		}
		return row.name, p.needAdvanced("endsWith")
	case "ge", "le":
		return row.name, p.require(row.name, row.geLe)
	}
	return "", unsupportedProp(row.name)
}

// checkLambda checks op (eq, startswith, endswith) inside prop/any(...).
func (p *fparser) checkLambda(row filterRow, op string) error {
	switch op {
	case "eq":
		return p.require(row.name, row.eq)
	case "startswith":
		return p.require(row.name, row.startsWith)
	case "endswith":
		if !row.endsWith {
			return unsupportedProp(row.name)
		}
		return p.needAdvanced("endsWith")
	}
	return unsupportedProp(row.name)
}

func (p *fparser) primary() (pred, error) {
	t, err := p.next()
	if err != nil {
		return nil, err
	}
	if t.kind == 'p' && t.v == "(" {
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		return e, p.expect(")")
	}
	if t.kind != 'i' {
		return nil, syntaxErr(t.pos, p.src)
	}
	if pr, handled, err := p.signInClause(t.v); handled {
		return pr, err
	}
	if fn := strings.ToLower(t.v); (fn == "startswith" || fn == "endswith") && p.peek() != nil && p.peek().v == "(" {
		p.i++
		return p.stringFunction(fn)
	}
	prop := t.v
	// Lambda: otherMails/any(x:x eq 'y') or any(x:startswith(x,'y')).
	if p.peek() != nil && p.peek().v == "/" {
		p.i++
		if !p.isWord("any") {
			return nil, unsupportedProp(prop)
		}
		p.i++
		row, err := filterRowOf(prop)
		if err != nil {
			return nil, err
		}
		if !row.collection {
			return nil, unsupportedProp(row.name)
		}
		return p.lambda(row)
	}
	return p.comparison(prop)
}

// stringFunction parses the arguments of startswith(prop,'x') or
// endswith(prop,'x'), after the opening parenthesis.
func (p *fparser) stringFunction(fn string) (pred, error) {
	pt, err := p.next()
	if err != nil {
		return nil, err
	}
	if err := p.expect(","); err != nil {
		return nil, err
	}
	lit, err := p.next()
	if err != nil {
		return nil, err
	}
	if lit.kind != 's' {
		return nil, syntaxErr(lit.pos, p.src)
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	name, err := p.checkOp(pt.v, fn, false)
	if err != nil {
		return nil, err
	}
	return anyValue(name, stringMatch(fn), lit.v), nil
}

// stringMatch is the Go test for startswith, endswith and eq.
func stringMatch(fn string) func(s, prefix string) bool {
	switch fn {
	case "startswith":
		return strings.HasPrefix
	case "endswith":
		return strings.HasSuffix
	}
	return func(a, b string) bool { return a == b }
}

// anyValue matches a user when any value of the property (one string or
// a collection) matches want, without case.
func anyValue(name string, match func(v, want string) bool, want string) pred {
	want = strings.ToLower(want)
	return func(u *user) bool {
		for _, v := range stringValues(u.Props[name]) {
			if match(strings.ToLower(v), want) {
				return true
			}
		}
		return false
	}
}

// comparison parses "prop op literal" or "prop in (...)".
func (p *fparser) comparison(prop string) (pred, error) {
	opTok, err := p.next()
	if err != nil {
		return nil, err
	}
	op := strings.ToLower(opTok.v)
	switch op {
	case "eq", "ne", "ge", "le", "gt", "lt":
	case "in":
		return p.in(prop)
	default:
		return nil, syntaxErr(opTok.pos, p.src)
	}
	lit, err := p.next()
	if err != nil {
		return nil, err
	}
	name, err := p.checkOp(prop, op, lit.kind == 'i' && lit.v == "null")
	if err != nil {
		return nil, err
	}
	return compare(name, op, lit, p.src)
}

// maxInValues is the number of values an "in" clause may list outside an
// advanced query: "When using the in operator, the request is limited to
// 15 expressions in the filter clause by default OR a URL length of 2,048
// characters when using advanced query capabilities"
// (https://learn.microsoft.com/graph/known-issues, query parameter
// limitations; https://learn.microsoft.com/graph/filter-query-parameter
// points there). The error's wording is the emulator's: the docs give none.
// The advanced query's URL length limit is not modelled.
const maxInValues = 15

func (p *fparser) in(prop string) (pred, error) {
	name, err := p.checkOp(prop, "in", false)
	if err != nil {
		return nil, err
	}
	if err := p.expect("("); err != nil {
		return nil, err
	}
	var preds []pred
	for {
		lit, err := p.next()
		if err != nil {
			return nil, err
		}
		e, err := compare(name, "eq", lit, p.src)
		if err != nil {
			return nil, err
		}
		preds = append(preds, e)
		t, err := p.next()
		if err != nil {
			return nil, err
		}
		if t.v == ")" {
			break
		}
		if t.v != "," {
			return nil, syntaxErr(t.pos, p.src)
		}
	}
	if !p.advanced && len(preds) > maxInValues {
		return nil, &filterError{"Request_UnsupportedQuery", fmt.Sprintf(
			"Too many values in the 'in' clause on property '%s': %d. Max allowed: %d.", name, len(preds), maxInValues)}
	}
	return func(u *user) bool {
		for _, e := range preds {
			if e(u) {
				return true
			}
		}
		return false
	}, nil
}

// lambda parses (x:x eq 'y') or (x:startswith(x,'y')) after prop/any.
func (p *fparser) lambda(row filterRow) (pred, error) {
	if err := p.expect("("); err != nil {
		return nil, err
	}
	v, err := p.next()
	if err != nil {
		return nil, err
	}
	if err := p.expect(":"); err != nil {
		return nil, err
	}
	t, err := p.next()
	if err != nil {
		return nil, err
	}
	var op, want string
	switch {
	case t.v == v.v:
		op = "eq"
		want, err = p.lambdaEq(row, t)
	case strings.EqualFold(t.v, "startswith") || strings.EqualFold(t.v, "endswith"):
		op = strings.ToLower(t.v)
		want, err = p.lambdaFunction(row, op, v.v, t)
	default:
		return nil, syntaxErr(t.pos, p.src)
	}
	if err != nil {
		return nil, err
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	return anyValue(row.name, stringMatch(op), want), nil
}

// lambdaEq parses "eq 'y'" after the lambda variable t.
func (p *fparser) lambdaEq(row filterRow, t ftok) (string, error) {
	if op, err := p.next(); err != nil || !strings.EqualFold(op.v, "eq") {
		return "", syntaxErr(t.pos, p.src)
	}
	lit, err := p.next()
	if err != nil || lit.kind != 's' {
		return "", syntaxErr(t.pos, p.src)
	}
	if err := p.checkLambda(row, "eq"); err != nil {
		return "", err
	}
	return lit.v, nil
}

// lambdaFunction parses "(x,'y')" after startswith or endswith (token t)
// inside a lambda over variable v.
func (p *fparser) lambdaFunction(row filterRow, op, v string, t ftok) (string, error) {
	if err := p.checkLambda(row, op); err != nil {
		return "", err
	}
	if err := p.expect("("); err != nil {
		return "", err
	}
	if err := p.expect(v); err != nil {
		return "", err
	}
	if err := p.expect(","); err != nil {
		return "", err
	}
	lit, err := p.next()
	if err != nil || lit.kind != 's' {
		return "", syntaxErr(t.pos, p.src)
	}
	if err := p.expect(")"); err != nil {
		return "", err
	}
	return lit.v, nil
}

func stringValues(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func compare(name, op string, lit ftok, src string) (pred, error) {
	if lit.kind == 'i' && lit.v == "null" {
		if op != "eq" && op != "ne" {
			return nil, syntaxErr(lit.pos, src)
		}
		return func(u *user) bool { return (u.Props[name] == nil) == (op == "eq") }, nil
	}
	if name == "accountEnabled" {
		if lit.kind != 'i' || (lit.v != "true" && lit.v != "false") {
			return nil, syntaxErr(lit.pos, src)
		}
		want := lit.v == "true"
		return func(u *user) bool { b, _ := u.Props[name].(bool); return (b == want) == (op == "eq") }, nil
	}
	if modelledProps[name].Type == userprop.Time {
		if lit.kind != 'l' {
			return nil, syntaxErr(lit.pos, src)
		}
		want, err := time.Parse(time.RFC3339, lit.v)
		if err != nil {
			return nil, syntaxErr(lit.pos, src)
		}
		return func(u *user) bool {
			s, _ := u.Props[name].(string)
			got, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return false
			}
			return cmpOp(op, got.Compare(want))
		}, nil
	}
	if lit.kind != 's' {
		if _, err := strconv.ParseFloat(lit.v, 64); err != nil || lit.kind != 'l' {
			return nil, syntaxErr(lit.pos, src)
		}
	}
	want := strings.ToLower(lit.v)
	return func(u *user) bool {
		s, ok := u.Props[name].(string)
		if !ok {
			return op == "ne"
		}
		return cmpOp(op, strings.Compare(strings.ToLower(s), want))
	}, nil
}

func cmpOp(op string, c int) bool {
	switch op {
	case "eq":
		return c == 0
	case "ne":
		return c != 0
	case "ge":
		return c >= 0
	case "le":
		return c <= 0
	case "gt":
		return c > 0
	case "lt":
		return c < 0
	}
	return false
}
