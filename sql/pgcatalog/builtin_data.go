package pgcatalog

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/vecgres/vecgres/sql/types"
)

// The rows of pg_type, pg_proc, pg_operator, pg_opfamily and pg_opclass for
// built-in objects are recorded from PostgreSQL 15 with pgvector 0.8
// installed in public (see record_test.go: go test ./sql/pgcatalog -run
// TestRecordBuiltins -record URL), restricted to what vecgres has: the
// types of sql/types, the functions and operators of the builtins
// registry with PostgreSQL's signatures, the functions those types and
// operators refer to, and pgvector's functions, operators and operator
// classes. PostgreSQL's own objects keep their fixed OIDs; pgvector's get
// vecgres's (see oids.go), since PostgreSQL numbers them when the
// extension is created.
//
//go:embed data/*.jsonl
var dataFiles embed.FS

// typeRow is a recorded pg_type row.
type typeRow struct {
	OID         types.OID `json:"oid"`
	Name        string    `json:"typname"`
	Namespace   types.OID `json:"typnamespace"`
	Len         int16     `json:"typlen"`
	ByVal       bool      `json:"typbyval"`
	Type        string    `json:"typtype"`
	Category    string    `json:"typcategory"`
	Preferred   bool      `json:"typispreferred"`
	Delim       string    `json:"typdelim"`
	RelID       types.OID `json:"typrelid"`
	Subscript   types.OID `json:"typsubscript"`
	Elem        types.OID `json:"typelem"`
	Array       types.OID `json:"typarray"`
	Input       types.OID `json:"typinput"`
	Output      types.OID `json:"typoutput"`
	Receive     types.OID `json:"typreceive"`
	Send        types.OID `json:"typsend"`
	ModIn       types.OID `json:"typmodin"`
	ModOut      types.OID `json:"typmodout"`
	Analyze     types.OID `json:"typanalyze"`
	Align       string    `json:"typalign"`
	Storage     string    `json:"typstorage"`
	BaseType    types.OID `json:"typbasetype"`
	TypMod      int32     `json:"typtypmod"`
	NDims       int32     `json:"typndims"`
	Collation   types.OID `json:"typcollation"`
	Description *string   `json:"description"`
}

// procRow is a recorded pg_proc row, with the texts of
// pg_get_function_arguments, pg_get_function_identity_arguments and
// pg_get_function_result.
type procRow struct {
	OID          types.OID   `json:"oid"`
	Name         string      `json:"proname"`
	Namespace    types.OID   `json:"pronamespace"`
	Lang         types.OID   `json:"prolang"`
	Cost         float64     `json:"procost"`
	Rows         float64     `json:"prorows"`
	Variadic     types.OID   `json:"provariadic"`
	Support      types.OID   `json:"prosupport"`
	Kind         string      `json:"prokind"`
	SecDef       bool        `json:"prosecdef"`
	LeakProof    bool        `json:"proleakproof"`
	Strict       bool        `json:"proisstrict"`
	RetSet       bool        `json:"proretset"`
	Volatile     string      `json:"provolatile"`
	Parallel     string      `json:"proparallel"`
	NArgs        int16       `json:"pronargs"`
	NArgDefaults int16       `json:"pronargdefaults"`
	RetType      types.OID   `json:"prorettype"`
	ArgTypes     []types.OID `json:"proargtypes"`
	AllArgTypes  []types.OID `json:"proallargtypes"`
	ArgModes     []string    `json:"proargmodes"`
	ArgNames     []string    `json:"proargnames"`
	Src          string      `json:"prosrc"`
	Bin          *string     `json:"probin"`
	Arguments    string      `json:"arguments"`
	IdentityArgs string      `json:"identity_arguments"`
	Result       string      `json:"result"`
	Description  *string     `json:"description"`
}

// operatorRow is a recorded pg_operator row.
type operatorRow struct {
	OID         types.OID `json:"oid"`
	Name        string    `json:"oprname"`
	Namespace   types.OID `json:"oprnamespace"`
	Kind        string    `json:"oprkind"`
	CanMerge    bool      `json:"oprcanmerge"`
	CanHash     bool      `json:"oprcanhash"`
	Left        types.OID `json:"oprleft"`
	Right       types.OID `json:"oprright"`
	Result      types.OID `json:"oprresult"`
	Com         types.OID `json:"oprcom"`
	Negate      types.OID `json:"oprnegate"`
	Code        types.OID `json:"oprcode"`
	Rest        types.OID `json:"oprrest"`
	Join        types.OID `json:"oprjoin"`
	Description *string   `json:"description"`
}

// opfamilyRow is a recorded pg_opfamily row.
type opfamilyRow struct {
	OID       types.OID `json:"oid"`
	Method    types.OID `json:"opfmethod"`
	Name      string    `json:"opfname"`
	Namespace types.OID `json:"opfnamespace"`
}

// opclassRow is a recorded pg_opclass row.
type opclassRow struct {
	OID       types.OID `json:"oid"`
	Method    types.OID `json:"opcmethod"`
	Name      string    `json:"opcname"`
	Namespace types.OID `json:"opcnamespace"`
	Family    types.OID `json:"opcfamily"`
	InType    types.OID `json:"opcintype"`
	Default   bool      `json:"opcdefault"`
	KeyType   types.OID `json:"opckeytype"`
}

// builtinData is the recorded rows, indexed.
type builtinData struct {
	types     []*typeRow
	procs     []*procRow
	operators []*operatorRow
	families  []*opfamilyRow
	classes   []*opclassRow

	typeByOID  map[types.OID]*typeRow
	procByOID  map[types.OID]*procRow
	procByName map[string][]*procRow
	opByOID    map[types.OID]*operatorRow
	classByOID map[types.OID]*opclassRow
}

// builtinRows returns the recorded rows, loaded on first use.
var builtinRows = sync.OnceValue(func() *builtinData {
	d, err := loadBuiltinData()
	if err != nil {
		// The files are embedded and checked by the package's tests.
		panic(err)
	}
	return d
})

func loadBuiltinData() (*builtinData, error) {
	d := &builtinData{}
	if err := loadJSONL("data/pg_type.jsonl", &d.types); err != nil {
		return nil, err
	}
	if err := loadJSONL("data/pg_proc.jsonl", &d.procs); err != nil {
		return nil, err
	}
	if err := loadJSONL("data/pg_operator.jsonl", &d.operators); err != nil {
		return nil, err
	}
	if err := loadJSONL("data/pg_opfamily.jsonl", &d.families); err != nil {
		return nil, err
	}
	if err := loadJSONL("data/pg_opclass.jsonl", &d.classes); err != nil {
		return nil, err
	}
	d.typeByOID = map[types.OID]*typeRow{}
	for _, t := range d.types {
		d.typeByOID[t.OID] = t
	}
	d.procByOID = map[types.OID]*procRow{}
	d.procByName = map[string][]*procRow{}
	for _, p := range d.procs {
		d.procByOID[p.OID] = p
		d.procByName[p.Name] = append(d.procByName[p.Name], p)
	}
	d.opByOID = map[types.OID]*operatorRow{}
	for _, o := range d.operators {
		d.opByOID[o.OID] = o
	}
	d.classByOID = map[types.OID]*opclassRow{}
	for _, c := range d.classes {
		d.classByOID[c.OID] = c
	}
	return d, nil
}

// loadJSONL reads one JSON object per line into a slice of *T.
func loadJSONL[T any](name string, out *[]*T) error {
	b, err := dataFiles.ReadFile(name)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		v := new(T)
		if err := json.Unmarshal(sc.Bytes(), v); err != nil {
			return fmt.Errorf("pgcatalog: %s:%d: %w", name, line, err)
		}
		*out = append(*out, v)
	}
	return sc.Err()
}
