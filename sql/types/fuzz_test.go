package types

import (
	"bufio"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// Fuzz targets for every text parser that reads untrusted input. Each
// checks that the parser does not panic, fails only with a *pgerr.Error,
// and that parse -> format -> parse gives an equal value with the same
// text. Seeds are the inputs of testdata/text_io.golden for the type, plus
// a few extra ones.

// addGoldenSeeds adds the golden inputs whose type name starts with one of
// prefixes.
func addGoldenSeeds(f *testing.F, prefixes ...string) {
	file, err := os.Open("testdata/text_io.golden")
	if err != nil {
		f.Fatal(err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		typ, rest, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			continue
		}
		input, _, _ := strings.Cut(rest, "\t")
		for _, p := range prefixes {
			if strings.HasPrefix(typ, p) {
				f.Add(input)
				break
			}
		}
	}
}

func fuzzRoundTrip(t *testing.T, typ T, s string) {
	d, err := ParseText(typ, s)
	if err != nil {
		var pe *pgerr.Error
		if !errors.As(err, &pe) || pe.Code == "" || pe.Message == "" {
			t.Fatalf("ParseText(%s, %q): error %#v is not a PostgreSQL error", typ, s, err)
		}
		return
	}
	text := FormatText(typ, d, nil)
	back, err := ParseText(typ, text)
	if err != nil {
		t.Fatalf("ParseText(%s, %q) printed %q, which does not parse: %v", typ, s, text, err)
	}
	if !Equal(typ, d, back) {
		t.Fatalf("%s %q: %q parses to a different value %q", typ, s, text, FormatText(typ, back, nil))
	}
	if again := FormatText(typ, back, nil); again != text {
		t.Fatalf("%s %q: printed %q, then %q", typ, s, text, again)
	}
	if hashOf(typ, d) != hashOf(typ, back) {
		t.Fatalf("%s %q: equal values hash differently", typ, s)
	}
	b, err := AppendBinary(nil, typ, d)
	if err != nil {
		t.Fatalf("AppendBinary(%s, %q): %v", typ, text, err)
	}
	fromBinary, err := ParseBinary(typ, b)
	if err != nil || !Equal(typ, d, fromBinary) {
		t.Fatalf("%s %q: binary round trip: %v", typ, text, err)
	}
}

func FuzzVector(f *testing.F) {
	for _, s := range []string{"[1,2,3]", " [ 1e-7 , -0 ] ", "[0x1p-3]", "[1e39]", "[nan]", "[1,]", "[1]x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { fuzzRoundTrip(t, TVector, s) })
}

func FuzzNumeric(f *testing.F) {
	addGoldenSeeds(f, "numeric")
	for _, s := range []string{"0x1F", "1_000.000_1", "-0.0e-5", "1e1_0", "9.99e999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fuzzRoundTrip(t, TNumeric, s)
		fuzzRoundTrip(t, NumericOf(6, 2), s)
	})
}

func FuzzInt(f *testing.F) {
	addGoldenSeeds(f, "int", "oid")
	for _, s := range []string{"0x7fffffff", "-0b1_0", "0o17", "1_2", "+0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, typ := range []T{TInt2, TInt4, TInt8, TOid} {
			fuzzRoundTrip(t, typ, s)
		}
	})
}

func FuzzFloat(f *testing.F) {
	addGoldenSeeds(f, "float")
	f.Fuzz(func(t *testing.T, s string) {
		fuzzRoundTrip(t, TFloat4, s)
		fuzzRoundTrip(t, TFloat8, s)
	})
}

func FuzzBool(f *testing.F) {
	addGoldenSeeds(f, "bool")
	f.Fuzz(func(t *testing.T, s string) { fuzzRoundTrip(t, TBool, s) })
}

func FuzzTimestamptz(f *testing.F) {
	addGoldenSeeds(f, "timestamp", "date")
	f.Fuzz(func(t *testing.T, s string) {
		fuzzRoundTrip(t, TTimestampTZ, s)
		fuzzRoundTrip(t, TTimestamp, s)
		fuzzRoundTrip(t, TDate, s)
	})
}

func FuzzJSONB(f *testing.F) {
	addGoldenSeeds(f, "json")
	f.Fuzz(func(t *testing.T, s string) {
		fuzzRoundTrip(t, TJSONB, s)
		fuzzRoundTrip(t, TJSON, s)
	})
}

func FuzzArray(f *testing.F) {
	addGoldenSeeds(f, "int4[]", "text[]", "float8[]")
	f.Fuzz(func(t *testing.T, s string) {
		for _, oid := range []OID{TextArrayOID, Int4ArrayOID, Float8ArrayOID, VectorArrayOID} {
			fuzzRoundTrip(t, Of(oid), s)
		}
	})
}

func FuzzBytea(f *testing.F) {
	addGoldenSeeds(f, "bytea")
	f.Fuzz(func(t *testing.T, s string) { fuzzRoundTrip(t, TBytea, s) })
}

// FuzzBinary feeds arbitrary bytes to the recv functions: they must fail
// cleanly or give a value that round-trips.
func FuzzBinary(f *testing.F) {
	f.Add(uint8(0), []byte{0, 1, 0, 0, 0x3f, 0x80, 0, 0})
	f.Add(uint8(1), []byte{0, 2, 0, 1, 0, 0, 0, 2, 0, 1, 0x13, 0x88})
	f.Add(uint8(2), []byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 7})
	types := []T{TVector, TNumeric, Of(Int4ArrayOID), TTimestampTZ, TDate, TJSONB, TText, Of(TextArrayOID), TFloat8, NumericOf(4, 1)}
	f.Fuzz(func(t *testing.T, which uint8, b []byte) {
		typ := types[int(which)%len(types)]
		d, err := ParseBinary(typ, b)
		if err != nil {
			var pe *pgerr.Error
			if !errors.As(err, &pe) {
				t.Fatalf("ParseBinary(%s, %x): error %#v is not a PostgreSQL error", typ, b, err)
			}
			return
		}
		out, err := AppendBinary(nil, typ, d)
		if err != nil {
			t.Fatalf("AppendBinary(%s): %v", typ, err)
		}
		back, err := ParseBinary(typ, out)
		if err != nil || !Equal(typ, d, back) {
			t.Fatalf("%s %x: binary round trip via %x: %v", typ, b, out, err)
		}
	})
}
