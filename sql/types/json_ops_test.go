package types

import "testing"

func TestJSONAccess(t *testing.T) {
	doc := JSON(` { "a" : {"b" : "}{\"]"}, "c": [ 1 , "x,]" , [2, {"d":null}] ], "a": 7 } `)
	for _, tc := range []struct {
		key  string
		want string
		ok   bool
	}{
		{"a", "7", true}, // the last of duplicate keys
		{"c", `[ 1 , "x,]" , [2, {"d":null}] ]`, true},
		{"z", "", false},
	} {
		got, ok := JSONField(doc, false, tc.key)
		if ok != tc.ok || string(got) != tc.want {
			t.Errorf("json -> %q = %q, %v; want %q, %v", tc.key, got, ok, tc.want, tc.ok)
		}
	}
	arr, _ := JSONField(doc, false, "c")
	for i, want := range map[int64]string{0: "1", 1: `"x,]"`, 2: `[2, {"d":null}]`, -1: `[2, {"d":null}]`, 3: ""} {
		got, _ := JSONElement(arr, false, i)
		if string(got) != want {
			t.Errorf("json -> %d = %q, want %q", i, got, want)
		}
	}
	if s, ok := JSONAsText(`"a\nb\u00e9"`); !ok || s != "a\nbé" {
		t.Errorf("JSONAsText = %q, %v", s, ok)
	}
	if _, ok := JSONAsText("null"); ok {
		t.Error("JSONAsText(null) is not NULL")
	}
	if n, ok := JSONArrayLength(arr); !ok || n != 3 {
		t.Errorf("JSONArrayLength = %d, %v", n, ok)
	}
	b, _ := JSONB(`{"a": [1, {"b": 2}], "c": "x"}`)
	for _, tc := range []struct {
		sub  string
		want bool
	}{
		{`{"a": [{"b": 2}]}`, true}, {`{"a": [3]}`, false}, {`{}`, true}, {`{"c": "x"}`, true}, {`{"c": "y"}`, false},
		{`[]`, false},
	} {
		s, _ := JSONB(tc.sub)
		if got := JSONBContains(b, s); got != tc.want {
			t.Errorf("%s @> %s = %v", b, tc.sub, got)
		}
	}
}
