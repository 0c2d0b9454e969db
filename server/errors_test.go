package server

import (
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// TestErrorResponseFields checks that every field of a pgerr.Error
// reaches the client, each in its own ErrorResponse field.
func TestErrorResponseFields(t *testing.T) {
	e := &pgerr.Error{
		Code: pgerr.UniqueViolation, Message: "duplicate key", Detail: "Key (id)=(1) already exists.",
		Hint: "a hint", Position: 7, Where: "COPY t, line 2", Schema: "public", Table: "t",
		Column: "id", DataType: "integer", Constraint: "t_pkey",
	}
	want := &pgproto3.ErrorResponse{
		Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: "23505", Message: "duplicate key",
		Detail: "Key (id)=(1) already exists.", Hint: "a hint", Position: 7, Where: "COPY t, line 2",
		SchemaName: "public", TableName: "t", ColumnName: "id", DataTypeName: "integer", ConstraintName: "t_pkey",
	}
	if got := errorResponse(e); !reflect.DeepEqual(got, want) {
		t.Errorf("errorResponse:\n got %+v\nwant %+v", got, want)
	}
	notice := noticeResponse(&pgerr.Error{Message: "hello", Where: "somewhere"})
	if notice.Severity != "NOTICE" || notice.Code != "00000" || notice.Where != "somewhere" {
		t.Errorf("noticeResponse: %+v", notice)
	}
}
