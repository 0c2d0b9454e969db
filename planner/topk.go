package planner

// sortLimitToTopK turns Limit(Sort(x)) into TopK(x): the executor then keeps
// only the best LIMIT+OFFSET rows in a bounded heap instead of sorting all
// of x.
//
// Preconditions: a Limit whose input is a Sort, and the Limit has a count
// (LIMIT ALL or OFFSET alone needs every row sorted anyway).
func sortLimitToTopK(n Node) (Node, bool) {
	lim, ok := n.(*Limit)
	if !ok || lim.Count == nil {
		return n, false
	}
	s, ok := lim.Input.(*Sort)
	if !ok {
		return n, false
	}
	return &TopK{Input: s.Input, Keys: s.Keys, Count: lim.Count, Offset: lim.Offset}, true
}
