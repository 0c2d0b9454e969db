package builtins

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// textCases are string functions on multibyte text, LIKE with escapes and regular expressions,
// recorded from PostgreSQL 15 with pgvector 0.8.
var textCases = []scalarCase{
	// text.
	{"||(text,text)", a("ab", "cd"), "text", "abcd"},
	{"||(text,text)", a("", "é"), "text", "é"},
	{"length(text)", a("héllo"), "integer", "5"},
	{"length(text)", a(""), "integer", "0"},
	{"char_length(text)", a("héllo"), "integer", "5"},
	{"char_length(text)", a(""), "integer", "0"},
	{"character_length(text)", a("héllo"), "integer", "5"},
	{"character_length(text)", a(""), "integer", "0"},
	{"octet_length(text)", a("héllo"), "integer", "6"},
	{"octet_length(text)", a(""), "integer", "0"},
	{"length(text)", a("日本語"), "integer", "3"},
	{"lower(text)", a("ABC dEf"), "text", "abc def"},
	{"upper(text)", a("abc DeF"), "text", "ABC DEF"},
	{"md5(text)", a("abc"), "text", "900150983cd24fb0d6963f7d28e17f72"},
	{"md5(text)", a(""), "text", "d41d8cd98f00b204e9800998ecf8427e"},
	{"substr(text,int4)", a("hello", "2"), "text", "ello"},
	{"substr(text,int4)", a("hello", "0"), "text", "hello"},
	{"substr(text,int4)", a("hello", "-3"), "text", "hello"},
	{"substr(text,int4)", a("hello", "6"), "text", ""},
	{"substr(text,int4)", a("héllo", "2"), "text", "éllo"},
	{"substr(text,int4,int4)", a("hello", "2", "3"), "text", "ell"},
	{"substr(text,int4,int4)", a("hello", "0", "2"), "text", "h"},
	{"substr(text,int4,int4)", a("hello", "-5", "3"), "text", ""},
	{"substr(text,int4,int4)", a("hello", "-1", "10"), "text", "hello"},
	{"substr(text,int4,int4)", a("hello", "4", "10"), "text", "lo"},
	{"substr(text,int4,int4)", a("hello", "2", "0"), "text", ""},
	{"substr(text,int4,int4)", a("hello", "2", "-1"), "", "ERROR 22011: negative substring length not allowed"},
	{"substr(text,int4,int4)", a("hello", "9", "2"), "text", ""},
	{"substr(text,int4,int4)", a("héllo", "2", "2"), "text", "él"},
	{"substr(text,int4,int4)", a("hello", "2", "2147483647"), "text", "ello"},
	{"substr(text,int4,int4)", a("hello", "-2147483648", "2147483647"), "text", ""},
	{"substring(text,int4,int4)", a("vecgres", "1", "3"), "text", "vec"},
	{"substring(text,int4)", a("vecgres", "4"), "text", "gres"},
	{"btrim(text)", a("  a b  "), "text", "a b"},
	{"btrim(text,text)", a("xyxaxyx", "xy"), "text", "a"},
	{"btrim(text,text)", a("abc", ""), "text", "abc"},
	{"btrim(text,text)", a("ééaé", "é"), "text", "a"},
	{"btrim(text)", a("\t a \n"), "text", "\t a \n"},
	{"ltrim(text)", a("  a b  "), "text", "a b  "},
	{"ltrim(text,text)", a("xyxaxyx", "xy"), "text", "axyx"},
	{"ltrim(text,text)", a("abc", ""), "text", "abc"},
	{"ltrim(text,text)", a("ééaé", "é"), "text", "aé"},
	{"ltrim(text)", a("\t a \n"), "text", "\t a \n"},
	{"rtrim(text)", a("  a b  "), "text", "  a b"},
	{"rtrim(text,text)", a("xyxaxyx", "xy"), "text", "xyxa"},
	{"rtrim(text,text)", a("abc", ""), "text", "abc"},
	{"rtrim(text,text)", a("ééaé", "é"), "text", "ééa"},
	{"rtrim(text)", a("\t a \n"), "text", "\t a \n"},
	{"replace(text,text,text)", a("abcabc", "b", "XY"), "text", "aXYcaXYc"},
	{"replace(text,text,text)", a("abc", "", "X"), "text", "abc"},
	{"replace(text,text,text)", a("aaa", "aa", "b"), "text", "ba"},
	{"replace(text,text,text)", a("abc", "b", ""), "text", "ac"},
	{"split_part(text,text,int4)", a("a,b,c", ",", "2"), "text", "b"},
	{"split_part(text,text,int4)", a("a,b,c", ",", "4"), "text", ""},
	{"split_part(text,text,int4)", a("a,b,c", ",", "-1"), "text", "c"},
	{"split_part(text,text,int4)", a("a,b,c", ",", "-3"), "text", "a"},
	{"split_part(text,text,int4)", a("a,b,c", ",", "-4"), "text", ""},
	{"split_part(text,text,int4)", a("a,b,c", ",", "0"), "", "ERROR 22023: field position must not be zero"},
	{"split_part(text,text,int4)", a("a,b,c", "", "1"), "text", "a,b,c"},
	{"split_part(text,text,int4)", a("a,b,c", "", "2"), "text", ""},
	{"split_part(text,text,int4)", a("a,b,c", "", "-1"), "text", "a,b,c"},
	{"split_part(text,text,int4)", a("", ",", "1"), "text", ""},
	{"split_part(text,text,int4)", a("a,,c", ",", "2"), "text", ""},
	{"split_part(text,text,int4)", a("a<>b<>c", "<>", "3"), "text", "c"},
	{"split_part(text,text,int4)", a("abc", "abc", "1"), "text", ""},
	{"split_part(text,text,int4)", a("abc", "abc", "2"), "text", ""},
	{"lpad(text,int4)", a("hi", "5"), "text", "   hi"},
	{"lpad(text,int4)", a("hello", "2"), "text", "he"},
	{"lpad(text,int4)", a("hi", "-1"), "text", ""},
	{"lpad(text,int4,text)", a("hi", "7", "xyz"), "text", "xyzxyhi"},
	{"lpad(text,int4,text)", a("hi", "5", ""), "text", "hi"},
	{"lpad(text,int4,text)", a("héllo", "7", "é"), "text", "ééhéllo"},
	{"lpad(text,int4,text)", a("hello", "3", "x"), "text", "hel"},
	{"lpad(text,int4,text)", a("", "3", "ab"), "text", "aba"},
	{"rpad(text,int4)", a("hi", "5"), "text", "hi   "},
	{"rpad(text,int4)", a("hello", "2"), "text", "he"},
	{"rpad(text,int4)", a("hi", "-1"), "text", ""},
	{"rpad(text,int4,text)", a("hi", "7", "xyz"), "text", "hixyzxy"},
	{"rpad(text,int4,text)", a("hi", "5", ""), "text", "hi"},
	{"rpad(text,int4,text)", a("héllo", "7", "é"), "text", "hélloéé"},
	{"rpad(text,int4,text)", a("hello", "3", "x"), "text", "hel"},
	{"rpad(text,int4,text)", a("", "3", "ab"), "text", "aba"},
	{"left(text,int4)", a("abcde", "2"), "text", "ab"},
	{"left(text,int4)", a("abcde", "-2"), "text", "abc"},
	{"left(text,int4)", a("abcde", "0"), "text", ""},
	{"left(text,int4)", a("abcde", "10"), "text", "abcde"},
	{"left(text,int4)", a("abcde", "-10"), "text", ""},
	{"left(text,int4)", a("héllo", "2"), "text", "hé"},
	{"right(text,int4)", a("abcde", "2"), "text", "de"},
	{"right(text,int4)", a("abcde", "-2"), "text", "cde"},
	{"right(text,int4)", a("abcde", "0"), "text", ""},
	{"right(text,int4)", a("abcde", "10"), "text", "abcde"},
	{"right(text,int4)", a("abcde", "-10"), "text", ""},
	{"right(text,int4)", a("héllo", "2"), "text", "lo"},
	{"repeat(text,int4)", a("ab", "3"), "text", "ababab"},
	// PostgreSQL refuses results past 1 GB before making them; for the
	// pads, 4 bytes per character in the worst case.
	{"repeat(text,int4)", a("ab", "536870910"), "", "ERROR 54000: requested length too large"},
	{"lpad(text,int4)", a("a", "268435455"), "", "ERROR 54000: requested length too large"},
	{"lpad(text,int4)", a("a", "2000000000"), "", "ERROR 54000: requested length too large"},
	{"rpad(text,int4,text)", a("a", "2147483647", "xy"), "", "ERROR 54000: requested length too large"},
	{"lpad(text,int4,text)", a("a", "2000000000", ""), "text", "a"},
	{"rpad(text,int4,text)", a("hello", "2147483647", ""), "text", "hello"},
	{"repeat(text,int4)", a("ab", "0"), "text", ""},
	{"repeat(text,int4)", a("ab", "-1"), "text", ""},
	{"repeat(text,int4)", a("", "5"), "text", ""},
	{"repeat(text,int4)", a("é", "2"), "text", "éé"},
	{"reverse(text)", a("héllo"), "text", "olléh"},
	{"reverse(text)", a(""), "text", ""},
	{"strpos(text,text)", a("héllo", "l"), "integer", "3"},
	{"strpos(text,text)", a("abc", ""), "integer", "1"},
	{"strpos(text,text)", a("abc", "d"), "integer", "0"},
	{"strpos(text,text)", a("", ""), "integer", "1"},
	{"starts_with(text,text)", a("vecgres", "vec"), "boolean", "t"},
	{"starts_with(text,text)", a("vec", "vecgres"), "boolean", "f"},
	{"starts_with(text,text)", a("abc", ""), "boolean", "t"},
	{"initcap(text)", a("hello wORLD"), "text", "Hello World"},
	{"initcap(text)", a("a1b-c d_e"), "text", "A1b-C D_E"},
	{"initcap(text)", a("it's 2nd"), "text", "It'S 2nd"},
	{"initcap(text)", a("élan école"), "text", "éLan éCole"},
	// LIKE and regular expressions.
	{"~~(text,text)", a("abc", "abc"), "boolean", "t"},
	{"~~(text,text)", a("abc", "a%"), "boolean", "t"},
	{"~~(text,text)", a("abc", "%c"), "boolean", "t"},
	{"~~(text,text)", a("abc", "%b%"), "boolean", "t"},
	{"~~(text,text)", a("abc", "_b_"), "boolean", "t"},
	{"~~(text,text)", a("abc", "__"), "boolean", "f"},
	{"~~(text,text)", a("abc", "___"), "boolean", "t"},
	{"~~(text,text)", a("abc", "%"), "boolean", "t"},
	{"~~(text,text)", a("", "%"), "boolean", "t"},
	{"~~(text,text)", a("", "_"), "boolean", "f"},
	{"~~(text,text)", a("a%c", "a\\%c"), "boolean", "t"},
	{"~~(text,text)", a("abc", "a\\%c"), "boolean", "f"},
	{"~~(text,text)", a("a_c", "a\\_c"), "boolean", "t"},
	{"~~(text,text)", a("abc", "a\\_c"), "boolean", "f"},
	{"~~(text,text)", a("a\\c", "a\\\\c"), "boolean", "t"},
	{"~~(text,text)", a("abc", "a\\bc"), "boolean", "t"},
	{"~~(text,text)", a("ab\\", "ab\\"), "", "ERROR 22025: LIKE pattern must not end with escape character"},
	{"~~(text,text)", a("ab\\", "ab\\\\"), "boolean", "t"},
	{"~~(text,text)", a("ab\\", "ab\\\\\\"), "boolean", "f"},
	{"~~(text,text)", a("abc", "ABC"), "boolean", "f"},
	{"~~(text,text)", a("héllo", "h_llo"), "boolean", "t"},
	{"~~(text,text)", a("aaa", "%%a"), "boolean", "t"},
	{"~~(text,text)", a("ab", "a%%%b"), "boolean", "t"},
	{"~~(text,text)", a("abc", "%\\"), "", "ERROR 22025: LIKE pattern must not end with escape character"},
	{"~~(text,text)", a("abc", "a%%c%"), "boolean", "t"},
	{"!~~(text,text)", a("abc", "a%"), "boolean", "f"},
	{"!~~(text,text)", a("abc", "b%"), "boolean", "t"},
	{"!~~(text,text)", a("abc", "x\\"), "boolean", "t"},
	{"~~*(text,text)", a("ABC", "a%"), "boolean", "t"},
	{"~~*(text,text)", a("abc", "A_C"), "boolean", "t"},
	{"!~~*(text,text)", a("ABC", "a%"), "boolean", "f"},
	{"~~*(text,text)", a("ÉCOLE", "é%"), "boolean", "f"},
	{"~~*(text,text)", a("X", "x\\"), "boolean", "f"},
	{"lower(text)", a("ÉCOLE Ÿ ABC"), "text", "École Ÿ abc"},
	{"upper(text)", a("école ÿ abc"), "text", "éCOLE ÿ ABC"},
	{"initcap(text)", a("ÉCOLE école"), "text", "ÉCole éCole"},
	{"~~(text,text)", a("abc", "abc\\"), "boolean", "f"},
	{"~~(text,text)", a("abcd", "abc\\"), "", "ERROR 22025: LIKE pattern must not end with escape character"},
	{"~~(text,text)", a("", "%\\"), "boolean", "f"},
	{"~~(text,text)", a("abc", "%b\\"), "", "ERROR 22025: LIKE pattern must not end with escape character"},
	{"~~(text,text)", a("a", "_\\"), "boolean", "f"},
	{"~~(text,text)", a("ab", "_\\"), "", "ERROR 22025: LIKE pattern must not end with escape character"},
	{"~~(text,text)", a("abc", "%_\\"), "", "ERROR 22025: LIKE pattern must not end with escape character"},
	{"~~(text,text)", a("x", "%x\\"), "boolean", "f"},
	{"~~(text,text)", a("a%", "%\\%"), "boolean", "t"},
	{"~~(text,text)", a("a\\b", "%\\\\%"), "boolean", "t"},
	{"~~(text,text)", a("ab", "%_%_%"), "boolean", "t"},
	{"~~(text,text)", a("a", "%_%_%"), "boolean", "f"},
	{"~~*(text,text)", a("ABC", "abc\\"), "boolean", "f"},
	{"~~*(text,text)", a("école", "ÉCOLE"), "boolean", "f"},
	{"~~*(text,text)", a("Straße", "STRASSE"), "boolean", "f"},
	{"~(text,text)", a("foobar", "o+b"), "boolean", "t"},
	{"~(text,text)", a("foobar", "^bar"), "boolean", "f"},
	{"~(text,text)", a("FOO", "foo"), "boolean", "f"},
	{"~*(text,text)", a("FOO", "foo"), "boolean", "t"},
	{"!~(text,text)", a("foobar", "baz"), "boolean", "t"},
	{"!~*(text,text)", a("FOO", "f"), "boolean", "f"},
	// PostgreSQL says "invalid regular expression: parentheses () not balanced";
	// vecgres gives Go's reason after the same prefix.
	{"~(text,text)", a("a", "("), "", "ERROR 2201B"},
}

func TestText(t *testing.T) { runScalarCases(t, textCases) }

// TestLikeAgainstRegexp compares LIKE with a regular expression built from
// the same pattern, on seeded random texts and patterns that do not end
// with the escape character.
func TestLikeAgainstRegexp(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	pick := func(alphabet []string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return out
	}
	for range 5000 {
		text := strings.Join(pick([]string{"a", "b", "é", "%", "_", `\`}, rng.IntN(7)), "")
		var pat, re strings.Builder
		re.WriteString(`(?s)^`)
		for _, tok := range pick([]string{"a", "b", "é", "%", "_", `\%`, `\_`, `\\`, `\a`}, rng.IntN(6)) {
			pat.WriteString(tok)
			switch {
			case tok == "%":
				re.WriteString(".*")
			case tok == "_":
				re.WriteString(".")
			case tok[0] == '\\':
				re.WriteString(regexp.QuoteMeta(tok[1:]))
			default:
				re.WriteString(regexp.QuoteMeta(tok))
			}
		}
		re.WriteString(`$`)
		want := regexp.MustCompile(re.String()).MatchString(text)
		got, err := likeMatch(text, pat.String())
		if err != nil || got != want {
			t.Fatalf("%q LIKE %q = %v, %v; want %v", text, pat.String(), got, err, want)
		}
	}
}

// TestRegexCacheBounded checks that the compiled-pattern cache keeps the
// most recently used patterns and no more than its bound, however many
// patterns a query's rows bring.
func TestRegexCacheBounded(t *testing.T) {
	var c regexCache
	var last *regexp.Regexp
	for i := range 1000 {
		rx, err := c.get(fmt.Sprintf("^a%d$", i), i%2 == 0)
		if err != nil {
			t.Fatal(err)
		}
		last = rx
	}
	if len(c.entries) > maxCachedRegexes {
		t.Errorf("%d cached patterns", len(c.entries))
	}
	// The latest pattern is cached (the same compiled object comes back),
	// with its flag: the case-sensitive form is another entry.
	if rx, _ := c.get("^a999$", false); rx != last {
		t.Error("most recent pattern not cached")
	}
	if rx, _ := c.get("^a999$", true); rx == last || !rx.MatchString("A999") {
		t.Error("case-insensitive form shares the case-sensitive entry")
	}
	// Using an old entry keeps it while newer ones come in.
	first, _ := c.get("^a990$", true)
	for i := range maxCachedRegexes - 1 {
		if _, err := c.get(fmt.Sprintf("^b%d$", i), false); err != nil {
			t.Fatal(err)
		}
	}
	if again, _ := c.get("^a990$", true); again != first {
		t.Error("a recently used pattern was evicted")
	}
}
