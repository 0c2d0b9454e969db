package builtins

// quotedKeyword reports the keywords that quote_ident quotes: every
// keyword of PostgreSQL 16's grammar that is not unreserved (reserved,
// type or function name, and column name keywords).
func quotedKeyword(s string) bool { return quotedKeywords[s] }

var quotedKeywords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range []string{
		// Reserved.
		"all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast",
		"check", "collate", "column", "constraint", "create", "current_catalog", "current_date", "current_role",
		"current_time", "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do",
		"else", "end", "except", "false", "fetch", "for", "foreign", "from", "grant", "group", "having", "in",
		"initially", "intersect", "into", "lateral", "leading", "limit", "localtime", "localtimestamp", "not",
		"null", "offset", "on", "only", "or", "order", "placing", "primary", "references", "returning", "select",
		"session_user", "some", "symmetric", "system_user", "table", "then", "to", "trailing", "true", "union",
		"unique", "user", "using", "variadic", "when", "where", "window", "with",
		// Type or function names.
		"authorization", "binary", "collation", "concurrently", "cross", "current_schema", "freeze", "full",
		"ilike", "inner", "is", "isnull", "join", "left", "like", "natural", "notnull", "outer", "overlaps",
		"right", "similar", "tablesample", "verbose",
		// Column names.
		"between", "bigint", "bit", "boolean", "char", "character", "coalesce", "dec", "decimal", "exists",
		"extract", "float", "greatest", "grouping", "inout", "int", "integer", "interval", "json", "json_array",
		"json_arrayagg", "json_object", "json_objectagg", "least", "national", "nchar", "none", "normalize",
		"nullif", "numeric", "out", "overlay", "position", "precision", "real", "row", "setof", "smallint",
		"substring", "time", "timestamp", "treat", "trim", "values", "varchar", "xmlattributes", "xmlconcat",
		"xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize",
		"xmltable",
	} {
		m[w] = true
	}
	return m
}()
