package builtins

// windowFunctions are the built-in window functions, which a call may
// name only with OVER, with the number of arguments each takes. Their
// values are computed by the executor's window operator; aggregates also
// run as window functions.
var windowFunctions = map[string]struct{ minArgs, maxArgs int }{
	"row_number": {0, 0}, "rank": {0, 0}, "dense_rank": {0, 0},
	"percent_rank": {0, 0}, "cume_dist": {0, 0}, "ntile": {1, 1},
	"lag": {1, 3}, "lead": {1, 3},
	"first_value": {1, 1}, "last_value": {1, 1}, "nth_value": {2, 2},
}

// WindowFunction reports whether name (lower case) is a built-in window
// function and how many arguments it takes.
func WindowFunction(name string) (minArgs, maxArgs int, ok bool) {
	w, ok := windowFunctions[name]
	return w.minArgs, w.maxArgs, ok
}
