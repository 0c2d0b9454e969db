package builtins

import (
	"strconv"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// The json and jsonb operators and functions that ORMs' queries use:
// -> and ->> (and the path forms #> and #>>), jsonb containment and key
// tests, to_json, json_build_object and json_build_array, json_agg, and
// the type and length functions. Values are converted with types'
// JSON helpers, so they are formatted as PostgreSQL formats them.

func jsonOf(d types.Datum) types.JSON { return d.(types.JSON) }

// jsonResult wraps an extracted value as json, or as normalised jsonb.
func jsonResult(j types.JSON, ok, jsonb bool) (types.Datum, error) {
	if !ok {
		return nil, nil
	}
	if jsonb {
		return types.JSONB(string(j))
	}
	return j, nil
}

// jsonPath follows a #> path: object keys, or array indexes written as
// integers.
func jsonPath(j types.JSON, jsonb bool, path *types.Array) (types.JSON, bool) {
	for _, p := range path.Elems {
		if p == nil {
			return "", false
		}
		key := str(p)
		next, ok := types.JSONField(j, jsonb, key)
		if !ok {
			i, err := strconv.ParseInt(key, 10, 64)
			if err != nil {
				return "", false
			}
			if next, ok = types.JSONElement(j, jsonb, i); !ok {
				return "", false
			}
		}
		j = next
	}
	return j, true
}

func addJSONFuncs(r *Registry) {
	textArray := types.TextArrayOID
	for _, jt := range []types.OID{types.JSONOID, types.JSONBOID} {
		jsonb := jt == types.JSONBOID
		ret := types.Of(jt)
		r.addBinary("->", Overload{Args: sig(jt, types.TextOID), Ret: ret,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				j, ok := types.JSONField(jsonOf(a[0]), jsonb, str(a[1]))
				return jsonResult(j, ok, jsonb)
			}})
		r.addBinary("->", Overload{Args: sig(jt, types.Int4OID), Ret: ret,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				j, ok := types.JSONElement(jsonOf(a[0]), jsonb, a[1].(int64))
				return jsonResult(j, ok, jsonb)
			}})
		asText := func(j types.JSON, ok bool) (types.Datum, error) {
			if !ok {
				return nil, nil
			}
			if s, ok := types.JSONAsText(j); ok {
				return s, nil
			}
			return nil, nil
		}
		r.addBinary("->>", Overload{Args: sig(jt, types.TextOID), Ret: types.TText,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				return asText(types.JSONField(jsonOf(a[0]), jsonb, str(a[1])))
			}})
		r.addBinary("->>", Overload{Args: sig(jt, types.Int4OID), Ret: types.TText,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				return asText(types.JSONElement(jsonOf(a[0]), jsonb, a[1].(int64)))
			}})
		r.addBinary("#>", Overload{Args: sig(jt, textArray), Ret: ret,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				j, ok := jsonPath(jsonOf(a[0]), jsonb, a[1].(*types.Array))
				return jsonResult(j, ok, jsonb)
			}})
		r.addBinary("#>>", Overload{Args: sig(jt, textArray), Ret: types.TText,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				return asText(jsonPath(jsonOf(a[0]), jsonb, a[1].(*types.Array)))
			}})
		prefix := "json"
		if jsonb {
			prefix = "jsonb"
		}
		r.addFunc(prefix+"_typeof", Overload{Args: sig(jt), Ret: types.TText,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return types.JSONTypeof(jsonOf(a[0])), nil }})
		r.addFunc(prefix+"_array_length", Overload{Args: sig(jt), Ret: types.TInt4,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				n, ok := types.JSONArrayLength(jsonOf(a[0]))
				if !ok {
					kind := "non-array"
					if t := types.JSONTypeof(jsonOf(a[0])); t != "object" {
						kind = "scalar"
					}
					return nil, pgerr.New(pgerr.InvalidParameterValue, "cannot get array length of a %s", kind)
				}
				return int64(n), nil
			}})
		r.addFunc("to_"+prefix, Overload{Args: sig(AnyOID), Ret: ret, Volatility: planner.Stable,
			Impl: func(env planner.Env, a []types.Datum) (types.Datum, error) {
				return jsonResult(types.JSON(types.AppendToJSON(nil, types.TText, a[0], env.Format())), true, jsonb)
			},
			ImplFor: func(args []types.T) planner.FuncImpl {
				t := args[0]
				return func(env planner.Env, a []types.Datum) (types.Datum, error) {
					return jsonResult(types.JSON(types.AppendToJSON(nil, t, a[0], env.Format())), true, jsonb)
				}
			}})
		r.addFunc(prefix+"_build_object", Overload{Args: sig(AnyOID), Variadic: true, Ret: ret, NonStrict: true,
			Volatility: planner.Stable,
			Impl:       func(planner.Env, []types.Datum) (types.Datum, error) { return nil, errNoTypes() },
			ImplFor: func(args []types.T) planner.FuncImpl {
				return func(env planner.Env, a []types.Datum) (types.Datum, error) {
					return buildObject(env, prefix, args, a, jsonb)
				}
			}})
		r.addFunc(prefix+"_build_array", Overload{Args: sig(AnyOID), Variadic: true, Ret: ret, NonStrict: true,
			Volatility: planner.Stable,
			Impl:       func(planner.Env, []types.Datum) (types.Datum, error) { return nil, errNoTypes() },
			ImplFor: func(args []types.T) planner.FuncImpl {
				return func(env planner.Env, a []types.Datum) (types.Datum, error) {
					buf := []byte{'['}
					for i, v := range a {
						if i > 0 {
							buf = append(buf, ", "...)
						}
						buf = appendJSONOrNull(buf, args[i], v, env)
					}
					return jsonResult(types.JSON(append(buf, ']')), true, jsonb)
				}
			}})
		r.addAgg(prefix+"_agg", AggOverload{Args: sig(AnyOID), Ret: ret, NonStrict: true,
			New: func(args []types.T) func() planner.Accumulator {
				return func() planner.Accumulator { return &jsonAgg{t: args[0], jsonb: jsonb} }
			}})
	}
	jb := types.JSONBOID
	r.addBinary("@>", Overload{Args: sig(jb, jb), Ret: types.TBool,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			return types.JSONBContains(jsonOf(a[0]), jsonOf(a[1])), nil
		}})
	r.addBinary("<@", Overload{Args: sig(jb, jb), Ret: types.TBool,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			return types.JSONBContains(jsonOf(a[1]), jsonOf(a[0])), nil
		}})
	r.addBinary("?", Overload{Args: sig(jb, types.TextOID), Ret: types.TBool,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			return types.JSONBHasKey(jsonOf(a[0]), str(a[1])), nil
		}})
	for op, all := range map[string]bool{"?|": false, "?&": true} {
		r.addBinary(op, Overload{Args: sig(jb, textArray), Ret: types.TBool,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				for _, k := range a[1].(*types.Array).Elems {
					if k == nil {
						continue
					}
					if types.JSONBHasKey(jsonOf(a[0]), str(k)) != all {
						return !all, nil
					}
				}
				return all, nil
			}})
	}
}

func errNoTypes() error {
	return pgerr.New(pgerr.InternalError, "json function called without its argument types")
}

// appendJSONOrNull writes to_json(v), or null.
func appendJSONOrNull(buf []byte, t types.T, v types.Datum, env planner.Env) []byte {
	if v == nil {
		return append(buf, "null"...)
	}
	return types.AppendToJSON(buf, t, v, env.Format())
}

// buildObject is json_build_object: {"k" : v, ...} (jsonb normalises it).
func buildObject(env planner.Env, prefix string, ts []types.T, a []types.Datum, jsonb bool) (types.Datum, error) {
	if len(a)%2 != 0 {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "argument list must have even number of elements").
			WithHint("The arguments of %s_build_object() must consist of alternating keys and values.", prefix)
	}
	buf := []byte{'{'}
	for i := 0; i < len(a); i += 2 {
		if a[i] == nil {
			return nil, pgerr.New(pgerr.NullValueNotAllowed, "null value not allowed for object key")
		}
		if i > 0 {
			buf = append(buf, ", "...)
		}
		kt := ts[i]
		if types.IsArray(kt.OID) || kt.OID == types.JSONOID || kt.OID == types.JSONBOID {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "key value must be scalar, not array, composite, or json")
		}
		key := types.FormatText(kt, a[i], env.Format())
		buf = types.AppendJSONString(buf, key)
		buf = append(buf, " : "...)
		buf = appendJSONOrNull(buf, ts[i+1], a[i+1], env)
	}
	return jsonResult(types.JSON(append(buf, '}')), true, jsonb)
}

// jsonAgg is json_agg and jsonb_agg: the values, NULLs included, as a JSON
// array; NULL when there are none.
type jsonAgg struct {
	t     types.T
	jsonb bool
	buf   []byte
	n     int
}

func (g *jsonAgg) Add(env planner.Env, args []types.Datum) error {
	if g.n == 0 {
		g.buf = append(g.buf, '[')
	} else {
		g.buf = append(g.buf, ", "...)
	}
	g.buf = appendJSONOrNull(g.buf, g.t, args[0], env)
	g.n++
	return nil
}

func (g *jsonAgg) Result(planner.Env) (types.Datum, error) {
	if g.n == 0 {
		return nil, nil
	}
	return jsonResult(types.JSON(append(append([]byte{}, g.buf...), ']')), true, g.jsonb)
}
