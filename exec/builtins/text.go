package builtins

import (
	"crypto/md5"
	"encoding/hex"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

func str(d types.Datum) string { return d.(string) }

func textFunc(f func(args []types.Datum) (types.Datum, error), args ...types.OID) Overload {
	return Overload{Args: args, Ret: types.TText,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return f(a) }}
}

func addText(r *Registry) {
	r.addBinary("||", textFunc(func(a []types.Datum) (types.Datum, error) {
		return str(a[0]) + str(a[1]), nil
	}, types.TextOID, types.TextOID))
	// text || anynonarray and anynonarray || text (PostgreSQL's
	// textanycat and anytextcat): the other operand in its text form, so
	// that 'doc ' || 5 is 'doc 5'. They are registered for each scalar
	// type, so that an unknown literal beside an integer resolves to them
	// (the string category is preferred for unknown) and not to array
	// concatenation.
	for _, oid := range []types.OID{types.BoolOID, types.Int2OID, types.Int4OID, types.Int8OID, types.OidOID,
		types.Float4OID, types.Float8OID, types.NumericOID, types.DateOID, types.TimestampOID, types.TimestampTZOID,
	} {
		t := types.Of(oid)
		r.addBinary("||", Overload{Args: sig(types.TextOID, oid), Ret: types.TText, Volatility: planner.Stable,
			Impl: func(env planner.Env, a []types.Datum) (types.Datum, error) {
				v, err := asText(env, t, a[1])
				return str(a[0]) + v, err
			}})
		r.addBinary("||", Overload{Args: sig(oid, types.TextOID), Ret: types.TText, Volatility: planner.Stable,
			Impl: func(env planner.Env, a []types.Datum) (types.Datum, error) {
				v, err := asText(env, t, a[0])
				return v + str(a[1]), err
			}})
	}

	for _, l := range []struct {
		op             string
		caseFold, want bool
	}{
		{"~~", false, true}, {"!~~", false, false}, {"~~*", true, true}, {"!~~*", true, false},
	} {
		l := l
		r.addBinary(l.op, Overload{Args: sig(types.TextOID, types.TextOID), Ret: types.TBool,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				s, p := str(a[0]), str(a[1])
				if l.caseFold {
					s, p = asciiLower(s), asciiLower(p)
				}
				ok, err := likeMatch(s, p)
				if err != nil {
					return nil, err
				}
				return ok == l.want, nil
			}})
	}
	var cache regexCache
	for _, re := range []struct {
		op             string
		caseFold, want bool
	}{
		{"~", false, true}, {"!~", false, false}, {"~*", true, true}, {"!~*", true, false},
	} {
		re := re
		r.addBinary(re.op, Overload{Args: sig(types.TextOID, types.TextOID), Ret: types.TBool,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				rx, err := cache.get(str(a[1]), re.caseFold)
				if err != nil {
					return nil, err
				}
				return rx.MatchString(str(a[0])) == re.want, nil
			}})
	}

	intOf := func(f func(s string) int) Overload {
		return Overload{Args: sig(types.TextOID), Ret: types.TInt4,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return int64(f(str(a[0]))), nil }}
	}
	for _, name := range []string{"length", "char_length", "character_length"} {
		r.addFunc(name, intOf(utf8.RuneCountInString))
	}
	r.addFunc("octet_length", intOf(func(s string) int { return len(s) }))
	r.addFunc("lower", textFunc(func(a []types.Datum) (types.Datum, error) { return asciiLower(str(a[0])), nil }, types.TextOID))
	r.addFunc("upper", textFunc(func(a []types.Datum) (types.Datum, error) { return asciiUpper(str(a[0])), nil }, types.TextOID))
	r.addFunc("md5", textFunc(func(a []types.Datum) (types.Datum, error) {
		sum := md5.Sum([]byte(str(a[0])))
		return hex.EncodeToString(sum[:]), nil
	}, types.TextOID))
	substr := func(a []types.Datum) (types.Datum, error) {
		runes := []rune(str(a[0]))
		start := a[1].(int64)
		end := int64(len(runes)) + 1
		if len(a) == 3 {
			n := a[2].(int64)
			if n < 0 {
				return nil, pgerr.New(pgerr.SubstringError, "negative substring length not allowed")
			}
			end = start + n
		}
		if start < 1 {
			start = 1
		}
		if end > int64(len(runes))+1 {
			end = int64(len(runes)) + 1
		}
		if start >= end {
			return "", nil
		}
		return string(runes[start-1 : end-1]), nil
	}
	for _, name := range []string{"substr", "substring"} {
		r.addFunc(name, textFunc(substr, types.TextOID, types.Int4OID))
		r.addFunc(name, textFunc(substr, types.TextOID, types.Int4OID, types.Int4OID))
	}
	trim := func(f func(s, cut string) string) func(a []types.Datum) (types.Datum, error) {
		return func(a []types.Datum) (types.Datum, error) {
			cut := " "
			if len(a) == 2 {
				cut = str(a[1])
			}
			return f(str(a[0]), cut), nil
		}
	}
	for name, f := range map[string]func(s, cut string) string{
		"btrim": strings.Trim, "ltrim": strings.TrimLeft, "rtrim": strings.TrimRight,
	} {
		r.addFunc(name, textFunc(trim(f), types.TextOID))
		r.addFunc(name, textFunc(trim(f), types.TextOID, types.TextOID))
	}
	r.addFunc("replace", textFunc(func(a []types.Datum) (types.Datum, error) {
		if str(a[1]) == "" {
			return a[0], nil
		}
		return strings.ReplaceAll(str(a[0]), str(a[1]), str(a[2])), nil
	}, types.TextOID, types.TextOID, types.TextOID))
	r.addFunc("strpos", Overload{Args: sig(types.TextOID, types.TextOID), Ret: types.TInt4,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			i := strings.Index(str(a[0]), str(a[1]))
			if i < 0 {
				return int64(0), nil
			}
			return int64(utf8.RuneCountInString(str(a[0])[:i]) + 1), nil
		}})
	r.addFunc("starts_with", Overload{Args: sig(types.TextOID, types.TextOID), Ret: types.TBool,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			return strings.HasPrefix(str(a[0]), str(a[1])), nil
		}})
	r.addFunc("repeat", textFunc(func(a []types.Datum) (types.Datum, error) {
		n := a[1].(int64)
		if n <= 0 {
			return "", nil
		}
		if int64(len(str(a[0])))*n > maxTextBytes {
			return nil, errLengthTooLarge()
		}
		return strings.Repeat(str(a[0]), int(n)), nil
	}, types.TextOID, types.Int4OID))
	r.addFunc("reverse", textFunc(func(a []types.Datum) (types.Datum, error) {
		runes := []rune(str(a[0]))
		for i, j := 0, len(runes)-1; i < j; i, j = i+1, j-1 {
			runes[i], runes[j] = runes[j], runes[i]
		}
		return string(runes), nil
	}, types.TextOID))
	leftRight := func(left bool) func(a []types.Datum) (types.Datum, error) {
		return func(a []types.Datum) (types.Datum, error) {
			runes := []rune(str(a[0]))
			n := int(a[1].(int64))
			if n < 0 {
				n = max(len(runes)+n, 0)
			}
			n = min(n, len(runes))
			if left {
				return string(runes[:n]), nil
			}
			return string(runes[len(runes)-n:]), nil
		}
	}
	r.addFunc("left", textFunc(leftRight(true), types.TextOID, types.Int4OID))
	r.addFunc("right", textFunc(leftRight(false), types.TextOID, types.Int4OID))
	r.addFunc("split_part", textFunc(func(a []types.Datum) (types.Datum, error) {
		n := a[2].(int64)
		if n == 0 {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "field position must not be zero")
		}
		var parts []string
		if str(a[1]) == "" {
			parts = []string{str(a[0])}
		} else {
			parts = strings.Split(str(a[0]), str(a[1]))
		}
		if n < 0 {
			n = int64(len(parts)) + n + 1
		}
		if n < 1 || n > int64(len(parts)) {
			return "", nil
		}
		return parts[n-1], nil
	}, types.TextOID, types.TextOID, types.Int4OID))
	pad := func(left bool) func(a []types.Datum) (types.Datum, error) {
		return func(a []types.Datum) (types.Datum, error) {
			runes := []rune(str(a[0]))
			n := int(a[1].(int64))
			fill := " "
			if len(a) == 3 {
				fill = str(a[2])
			}
			if n <= len(runes) || fill == "" {
				if n < 0 {
					n = 0
				}
				return string(runes[:min(n, len(runes))]), nil
			}
			// As PostgreSQL, refuse a result that could pass 1 GB in
			// the worst case of 4-byte characters.
			if 4*int64(n) > maxTextBytes {
				return nil, errLengthTooLarge()
			}
			fr := []rune(fill)
			padding := make([]rune, 0, n-len(runes))
			for i := 0; len(padding) < n-len(runes); i++ {
				padding = append(padding, fr[i%len(fr)])
			}
			if left {
				return string(padding) + string(runes), nil
			}
			return string(runes) + string(padding), nil
		}
	}
	r.addFunc("lpad", textFunc(pad(true), types.TextOID, types.Int4OID))
	r.addFunc("lpad", textFunc(pad(true), types.TextOID, types.Int4OID, types.TextOID))
	r.addFunc("rpad", textFunc(pad(false), types.TextOID, types.Int4OID))
	r.addFunc("rpad", textFunc(pad(false), types.TextOID, types.Int4OID, types.TextOID))
	r.addFunc("initcap", textFunc(func(a []types.Datum) (types.Datum, error) {
		b := []byte(str(a[0]))
		prevAlnum := false
		for i, c := range b {
			if prevAlnum {
				c = toLowerASCII(c)
			} else {
				c = toUpperASCII(c)
			}
			b[i] = c
			prevAlnum = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		}
		return string(b), nil
	}, types.TextOID))
}

// maxTextBytes is the largest text value PostgreSQL makes: MaxAllocSize
// less the 4-byte varlena header.
const maxTextBytes = 0x3fffffff - 4

func errLengthTooLarge() error {
	return pgerr.New(pgerr.ProgramLimitExceeded, "requested length too large")
}

// Case mapping follows lc_ctype C, which vecgres reports: as in
// PostgreSQL with a C locale, lower, upper, initcap and ILIKE change ASCII
// letters only ('ÉCOLE' ILIKE 'é%' is false).

func toLowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func toUpperASCII(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

func asciiLower(s string) string { return mapASCII(s, toLowerASCII) }
func asciiUpper(s string) string { return mapASCII(s, toUpperASCII) }

// mapASCII applies f to every byte of s; UTF-8 bytes of non-ASCII
// characters are all >= 0x80, which f leaves alone.
func mapASCII(s string, f func(byte) byte) string {
	for i := 0; i < len(s); i++ {
		if f(s[i]) != s[i] {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = f(b[j])
			}
			return string(b)
		}
	}
	return s
}

// likeMatch reports whether s matches the LIKE pattern p, where % matches
// any run of characters, _ any one character, and \ makes the next
// character literal. It is PostgreSQL's MatchText: a pattern that ends
// with the escape character is an error only when matching reaches it
// ('abc' LIKE 'x\' is false).
func likeMatch(s, p string) (bool, error) {
	if p == "%" {
		return true, nil
	}
	r, err := likeRunes([]rune(s), []rune(p))
	return r == likeTrue, err
}

// Results of likeRunes; likeAbort means no later start position in the
// text can match either, which stops the search of an enclosing %.
const (
	likeFalse = iota
	likeTrue
	likeAbort
)

func errLikeEscape() error {
	return pgerr.New(pgerr.InvalidEscapeSequence, "LIKE pattern must not end with escape character")
}

func likeRunes(t, p []rune) (int, error) {
	for len(t) > 0 && len(p) > 0 {
		switch p[0] {
		case '\\':
			p = p[1:]
			if len(p) == 0 {
				return likeFalse, errLikeEscape()
			}
			if p[0] != t[0] {
				return likeFalse, nil
			}
		case '%':
			// Skip the run of wildcards after %: N _'s and any %'s match
			// at least N characters.
			p = p[1:]
			for len(p) > 0 {
				if p[0] == '%' {
					p = p[1:]
				} else if p[0] == '_' {
					if len(t) == 0 {
						return likeAbort, nil
					}
					t, p = t[1:], p[1:]
				} else {
					break
				}
			}
			if len(p) == 0 {
				return likeTrue, nil
			}
			first := p[0]
			if first == '\\' {
				if len(p) < 2 {
					return likeFalse, errLikeEscape()
				}
				first = p[1]
			}
			for ; len(t) > 0; t = t[1:] {
				if t[0] == first {
					r, err := likeRunes(t, p)
					if err != nil || r != likeFalse {
						return r, err
					}
				}
			}
			return likeAbort, nil
		case '_':
		default:
			if p[0] != t[0] {
				return likeFalse, nil
			}
		}
		t, p = t[1:], p[1:]
	}
	if len(t) > 0 {
		return likeFalse, nil
	}
	for len(p) > 0 && p[0] == '%' {
		p = p[1:]
	}
	if len(p) == 0 {
		return likeTrue, nil
	}
	return likeAbort, nil
}

// regexCache keeps the most recently used compiled regular expressions,
// since a query applies the same pattern to every row. It is bounded, as
// PostgreSQL's (32 entries): patterns taken from table data must not grow
// it for the life of the server.
type regexCache struct {
	mu      sync.Mutex
	entries []regexEntry // most recently used first
}

type regexEntry struct {
	key string // flag byte + pattern
	rx  *regexp.Regexp
}

const maxCachedRegexes = 32

func (c *regexCache) get(pattern string, caseFold bool) (*regexp.Regexp, error) {
	key := "c" + pattern
	if caseFold {
		key = "i" + pattern
	}
	c.mu.Lock()
	for i, e := range c.entries {
		if e.key == key {
			copy(c.entries[1:i+1], c.entries[:i])
			c.entries[0] = e
			c.mu.Unlock()
			return e.rx, nil
		}
	}
	c.mu.Unlock()
	src := pattern
	if caseFold {
		src = "(?i)" + src
	}
	rx, err := regexp.Compile(src)
	if err != nil {
		return nil, pgerr.New(pgerr.InvalidRegularExpression, "invalid regular expression: %s", err.Error())
	}
	c.mu.Lock()
	if len(c.entries) < maxCachedRegexes {
		c.entries = append(c.entries, regexEntry{})
	}
	copy(c.entries[1:], c.entries)
	c.entries[0] = regexEntry{key: key, rx: rx}
	c.mu.Unlock()
	return rx, nil
}

// asText is a value cast to text, as PostgreSQL's anytextcat casts it
// (a boolean is 'true', not its output form 't').
func asText(env planner.Env, t types.T, d types.Datum) (string, error) {
	var f *types.FormatOptions
	if env != nil {
		f = env.Format()
	}
	v, err := types.CastWith(d, t, types.TText, true, f)
	if err != nil {
		return "", err
	}
	return v.(string), nil
}
