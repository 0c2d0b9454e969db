package bench

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestAppendVectorBinary(t *testing.T) {
	got := appendVectorBinary([]byte{0xaa}, []float32{1, -2})
	want := []byte{0xaa, 0, 2, 0, 0, 0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0}
	if !bytes.Equal(got, want) {
		t.Errorf("appendVectorBinary = % x, want % x", got, want)
	}
}

func TestAppendVectorText(t *testing.T) {
	tests := []struct {
		v    []float32
		want string
	}{
		{nil, "[]"},
		{[]float32{1}, "[1]"},
		{[]float32{1.5, -2, 1e-7, 0.1, 3e38}, "[1.5,-2,1e-07,0.1,3e+38]"},
	}
	for _, tt := range tests {
		if got := string(appendVectorText(nil, tt.v)); got != tt.want {
			t.Errorf("appendVectorText(%v) = %s, want %s", tt.v, got, tt.want)
		}
	}
}

func TestVectorTextRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	v := make([]float32, 200)
	for i := range v {
		v[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(20)-10)))
	}
	text := string(appendVectorText(nil, v))
	fields := strings.Split(strings.Trim(text, "[]"), ",")
	for i, f := range fields {
		back, err := strconv.ParseFloat(f, 32)
		if err != nil || float32(back) != v[i] {
			t.Fatalf("value %d: %v printed as %q reads back as %v, %v", i, v[i], f, back, err)
		}
	}
}

func TestEncodeVectors(t *testing.T) {
	m := matrix[float32]{cols: 2, data: []float32{1, 2, 3, 4}}
	bin := encodeVectors(m, binaryFormat)
	text := encodeVectors(m, textFormat)
	if len(bin) != 2 || !bytes.Equal(bin[1], appendVectorBinary(nil, []float32{3, 4})) {
		t.Errorf("binary: % x", bin)
	}
	if len(text) != 2 || string(text[0]) != "[1,2]" || string(text[1]) != "[3,4]" {
		t.Errorf("text: %q", text)
	}
}

func TestCopyStream(t *testing.T) {
	var b []byte
	b = appendCopyHeader(b)
	b = appendCopyRow(b, []int32{7}, []float32{1})
	b = appendCopyRow(b, []int32{8, -1}, []float32{1})
	b = appendCopyTrailer(b)
	want := []byte("PGCOPY\n\xff\r\n\x00")
	want = append(want, 0, 0, 0, 0, 0, 0, 0, 0) // flags, header extension
	want = append(want, 0, 2)                   // fields
	want = append(want, 0, 0, 0, 4, 0, 0, 0, 7) // id
	want = append(want, 0, 0, 0, 8, 0, 1, 0, 0, 0x3f, 0x80, 0, 0)
	want = append(want, 0, 3)                               // fields
	want = append(want, 0, 0, 0, 4, 0, 0, 0, 8)             // id
	want = append(want, 0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff) // attr
	want = append(want, 0, 0, 0, 8, 0, 1, 0, 0, 0x3f, 0x80, 0, 0)
	want = append(want, 0xff, 0xff)
	if !bytes.Equal(b, want) {
		t.Errorf("copy stream\n% x\nwant\n% x", b, want)
	}
}

func TestDecodeID(t *testing.T) {
	tests := []struct {
		in   []byte
		want int64
		ok   bool
	}{
		{binary.BigEndian.AppendUint16(nil, 0xfffe), -2, true},
		{binary.BigEndian.AppendUint32(nil, 149999), 149999, true},
		{binary.BigEndian.AppendUint64(nil, 1<<40), 1 << 40, true},
		{[]byte("12"), 0x3132, true}, // two bytes are an int2, whatever they say
		{[]byte("123"), 0, false},
		{nil, 0, false},
	}
	for _, tt := range tests {
		got, err := decodeID(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("decodeID(% x) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
