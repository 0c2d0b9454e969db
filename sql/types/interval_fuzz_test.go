package types

import "testing"

// FuzzInterval checks that interval input never panics, fails only with
// PostgreSQL errors, and that what it prints reads back as the same value
// with the same text, in text and in binary.
func FuzzInterval(f *testing.F) {
	for _, s := range []string{
		"1 day 02:03:04", "3 mons", "-1 years -2 mons +3 days -04:05:06.5", "P1Y2M3DT4H5M6.5S", "PT-1.5S",
		"@ 1 day ago", "1.5 weeks", "1-2", "-1:30:15.25", "2562047788:00:54.775807", "178956970 years",
		"1 day -1 second", "0.000001 seconds", "1e3 days", "P", "1:60", "--1 day", "1..5 days", "P1.5Y0.5M",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { fuzzRoundTrip(t, TInterval, s) })
}
