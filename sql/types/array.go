package types

func parseArray(elem T, s string) (Datum, error) { return nil, errNoIO(elem) }

func appendArray(buf []byte, a *Array, f *FormatOptions) []byte {
	buf = append(buf, '{')
	for i, e := range a.Elems {
		if i > 0 {
			buf = append(buf, ',')
		}
		if e == nil {
			buf = append(buf, "NULL"...)
			continue
		}
		buf = AppendText(buf, a.Elem, e, f)
	}
	return append(buf, '}')
}
