package pgerr

import (
	"errors"
	"fmt"
	"testing"
)

func TestNew(t *testing.T) {
	// newf hides New from vet's printf check, for a message with a % and
	// no arguments.
	newf := New
	for _, tc := range []struct {
		name   string
		err    *Error
		code   Code
		msg    string
		errStr string
	}{
		{"formatted", New(NumericValueOutOfRange, "%s out of range", "integer"),
			NumericValueOutOfRange, "integer out of range", "ERROR: integer out of range (SQLSTATE 22003)"},
		// Without arguments the format is the message, verbs and all.
		{"verbatim", newf(SyntaxError, "100% wrong"),
			SyntaxError, "100% wrong", "ERROR: 100% wrong (SQLSTATE 42601)"},
		{"fatal", &Error{Severity: SeverityFatal, Code: AdminShutdown, Message: "bye"},
			AdminShutdown, "bye", "FATAL: bye (SQLSTATE 57P01)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err.Code != tc.code || tc.err.Message != tc.msg {
				t.Errorf("got %s %q, want %s %q", tc.err.Code, tc.err.Message, tc.code, tc.msg)
			}
			if got := tc.err.Error(); got != tc.errStr {
				t.Errorf("Error() = %q, want %q", got, tc.errStr)
			}
		})
	}
	if got := New(DivisionByZero, "x").SeverityOrError(); got != SeverityError {
		t.Errorf("default severity = %q, want ERROR", got)
	}
	if got := (&Error{Severity: SeverityWarning}).SeverityOrError(); got != SeverityWarning {
		t.Errorf("severity = %q, want WARNING", got)
	}
}

func TestWithDetailAndHintCopy(t *testing.T) {
	base := New(UniqueViolation, "duplicate key value violates unique constraint %q", "t_pkey")
	d := base.WithDetail("Key (id)=(%d) already exists.", 1)
	h := d.WithHint("Try %s.", "again")
	if base.Detail != "" || base.Hint != "" {
		t.Errorf("WithDetail/WithHint changed the receiver: %+v", base)
	}
	if d.Detail != "Key (id)=(1) already exists." || d.Hint != "" {
		t.Errorf("WithDetail: %+v", d)
	}
	if h.Detail != d.Detail || h.Hint != "Try again." || h.Code != UniqueViolation || h.Message != base.Message {
		t.Errorf("WithHint: %+v", h)
	}
	if d == base || h == d {
		t.Error("With* must return copies")
	}
}

func TestWithPosition(t *testing.T) {
	for _, tc := range []struct {
		name      string
		start     int32
		positions []int32
		want      int32
	}{
		{"set", 0, []int32{7}, 7},
		{"innermost wins", 0, []int32{7, 3, 12}, 7},
		{"already set", 5, []int32{9}, 5},
		{"zero ignored", 0, []int32{0, 4}, 4},
		{"negative ignored", 0, []int32{-2, 4}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := &Error{Code: SyntaxError, Message: "m", Position: tc.start}
			for _, p := range tc.positions {
				e = e.WithPosition(p)
			}
			if e.Position != tc.want {
				t.Errorf("position = %d, want %d", e.Position, tc.want)
			}
			if e.Code != SyntaxError || e.Message != "m" {
				t.Errorf("lost fields: %+v", e)
			}
		})
	}
	// The receiver is never changed.
	e := New(SyntaxError, "m")
	_ = e.WithPosition(3)
	if e.Position != 0 {
		t.Errorf("WithPosition changed its receiver: %d", e.Position)
	}
}

func TestFromAndCodeOf(t *testing.T) {
	pe := New(DivisionByZero, "division by zero")
	wrapped := fmt.Errorf("evaluating: %w", pe)
	plain := errors.New("boom")
	for _, tc := range []struct {
		name string
		err  error
		same *Error // From must return this very error
		code Code
		msg  string
	}{
		{"nil", nil, nil, "", ""},
		{"pgerr", pe, pe, DivisionByZero, "division by zero"},
		{"wrapped", wrapped, pe, DivisionByZero, "division by zero"},
		{"plain", plain, nil, InternalError, "boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := From(tc.err)
			if got := CodeOf(tc.err); got != tc.code {
				t.Errorf("CodeOf = %q, want %q", got, tc.code)
			}
			if tc.err == nil {
				if got != nil {
					t.Errorf("From(nil) = %v", got)
				}
				return
			}
			if tc.same != nil && got != tc.same {
				t.Errorf("From returned %p, want the wrapped error %p", got, tc.same)
			}
			if got.Code != tc.code || got.Message != tc.msg {
				t.Errorf("From = %s %q, want %s %q", got.Code, got.Message, tc.code, tc.msg)
			}
		})
	}
}

func TestAtPosition(t *testing.T) {
	plain := errors.New("boom")
	if got := AtPosition(plain, 5); got != plain {
		t.Errorf("AtPosition changed a plain error: %v", got)
	}
	if got := AtPosition(nil, 5); got != nil {
		t.Errorf("AtPosition(nil) = %v", got)
	}
	pe := New(UndefinedColumn, "column \"x\" does not exist")
	got := From(AtPosition(pe, 8))
	if got.Position != 8 || got.Code != UndefinedColumn {
		t.Errorf("AtPosition = %+v", got)
	}
	if pe.Position != 0 {
		t.Error("AtPosition changed the original error")
	}
	// Innermost wins: a second, outer position does not replace the first.
	if got := From(AtPosition(AtPosition(pe, 8), 2)); got.Position != 8 {
		t.Errorf("outer position replaced inner: %d", got.Position)
	}
	// A wrapped *Error gets its position too.
	if got := From(AtPosition(fmt.Errorf("ctx: %w", pe), 4)); got.Position != 4 {
		t.Errorf("wrapped: position %d", got.Position)
	}
}

// TestCodes checks that every SQLSTATE is five characters of digits and
// upper-case letters, as the wire protocol requires.
func TestCodes(t *testing.T) {
	for _, c := range []Code{
		SuccessfulCompletion, DataException, NumericValueOutOfRange, DivisionByZero, InvalidEscapeSequence,
		NotNullViolation, UniqueViolation, QueryCanceled, InternalError, SubstringError,
		InvalidRegularExpression, InvalidArgumentForLogarithm, InvalidArgumentForPowerFunction,
		ProgramLimitExceeded, InvalidRowCountInLimit, InvalidRowCountInResultOffset,
	} {
		if len(c) != 5 {
			t.Errorf("%q is not five characters", c)
		}
		for _, r := range c {
			if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') {
				t.Errorf("%q has %q", c, r)
			}
		}
	}
	// Spot checks against PostgreSQL's errcodes.txt.
	for c, want := range map[Code]Code{
		NumericValueOutOfRange: "22003", DivisionByZero: "22012", InvalidEscapeSequence: "22025",
		NotNullViolation: "23502", QueryCanceled: "57014", SubstringError: "22011",
		InvalidRegularExpression: "2201B", InvalidArgumentForLogarithm: "2201E",
		InvalidArgumentForPowerFunction: "2201F", InvalidRowCountInLimit: "2201W",
		InvalidRowCountInResultOffset: "2201X", ProgramLimitExceeded: "54000", DataException: "22000",
	} {
		if c != want {
			t.Errorf("got %s, want %s", c, want)
		}
	}
}
