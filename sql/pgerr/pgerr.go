package pgerr

import (
	"errors"
	"fmt"
)

// Code is a five-character SQLSTATE, as listed in PostgreSQL's errcodes.
type Code string

// The SQLSTATEs vecgres raises. Names follow PostgreSQL's condition names.
const (
	SuccessfulCompletion             Code = "00000"
	Warning                          Code = "01000"
	FeatureNotSupported              Code = "0A000"
	CardinalityViolation             Code = "21000"
	DataException                    Code = "22000"
	StringDataRightTruncation        Code = "22001"
	NumericValueOutOfRange           Code = "22003"
	NullValueNotAllowed              Code = "22004"
	InvalidDatetimeFormat            Code = "22007"
	DatetimeFieldOverflow            Code = "22008"
	InvalidTimeZoneDisplacement      Code = "22009"
	ArraySubscriptError              Code = "2202E"
	InvalidParameterValue            Code = "22023"
	InvalidEscapeSequence            Code = "22025"
	DivisionByZero                   Code = "22012"
	InvalidRowCountInLimit           Code = "2201W"
	InvalidRowCountInResultOffset    Code = "2201X"
	InvalidTextRepresentation        Code = "22P02"
	InvalidBinaryRepresentation      Code = "22P03"
	UntranslatableCharacter          Code = "22P05"
	CharacterNotInRepertoire         Code = "22021"
	InvalidJSONText                  Code = "22P02"
	IntegrityConstraintViolation     Code = "23000"
	NotNullViolation                 Code = "23502"
	ForeignKeyViolation              Code = "23503"
	UniqueViolation                  Code = "23505"
	CheckViolation                   Code = "23514"
	InvalidCursorState               Code = "24000"
	InvalidTransactionState          Code = "25000"
	ActiveSQLTransaction             Code = "25001"
	NoActiveSQLTransaction           Code = "25P01"
	InFailedSQLTransaction           Code = "25P02"
	ReadOnlySQLTransaction           Code = "25006"
	InvalidSQLStatementName          Code = "26000"
	InvalidAuthorizationSpec         Code = "28000"
	InvalidPassword                  Code = "28P01"
	InvalidTransactionTermination    Code = "2D000"
	InvalidCursorName                Code = "34000"
	InvalidSchemaName                Code = "3F000"
	TransactionRollback              Code = "40000"
	SerializationFailure             Code = "40001"
	DeadlockDetected                 Code = "40P01"
	SyntaxErrorOrAccessRuleViolation Code = "42000"
	SyntaxError                      Code = "42601"
	InsufficientPrivilege            Code = "42501"
	GroupingError                    Code = "42803"
	InvalidForeignKey                Code = "42830"
	WindowingError                   Code = "42P20"
	InvalidRecursion                 Code = "42P19"
	InvalidName                      Code = "42602"
	NameTooLong                      Code = "42622"
	ReservedName                     Code = "42939"
	DatatypeMismatch                 Code = "42804"
	IndeterminateDatatype            Code = "42P18"
	WrongObjectType                  Code = "42809"
	UndefinedColumn                  Code = "42703"
	UndefinedFunction                Code = "42883"
	UndefinedTable                   Code = "42P01"
	UndefinedParameter               Code = "42P02"
	UndefinedObject                  Code = "42704"
	DuplicateColumn                  Code = "42701"
	DuplicateDatabase                Code = "42P04"
	DuplicateFunction                Code = "42723"
	DuplicatePreparedStatement       Code = "42P05"
	DuplicateSchema                  Code = "42P06"
	DuplicateTable                   Code = "42P07"
	DuplicateAlias                   Code = "42712"
	DuplicateObject                  Code = "42710"
	AmbiguousColumn                  Code = "42702"
	AmbiguousFunction                Code = "42725"
	AmbiguousParameter               Code = "42P08"
	InvalidColumnReference           Code = "42P10"
	InvalidColumnDefinition          Code = "42611"
	InvalidTableDefinition           Code = "42P16"
	InvalidObjectDefinition          Code = "42P17"
	UndefinedDatabase                Code = "3D000"
	CannotCoerce                     Code = "42846"
	TooManyColumns                   Code = "54011"
	ProgramLimitExceeded             Code = "54000"
	StatementTooComplex              Code = "54001"
	ObjectNotInPrerequisiteState     Code = "55000"
	ObjectInUse                      Code = "55006"
	LockNotAvailable                 Code = "55P03"
	InsufficientResources            Code = "53000"
	DiskFull                         Code = "53100"
	OutOfMemory                      Code = "53200"
	TooManyConnections               Code = "53300"
	OperatorIntervention             Code = "57000"
	QueryCanceled                    Code = "57014"
	AdminShutdown                    Code = "57P01"
	CrashShutdown                    Code = "57P02"
	CannotConnectNow                 Code = "57P03"
	IdleInTransactionSessionTimeout  Code = "25P03"
	ConnectionException              Code = "08000"
	ConnectionFailure                Code = "08006"
	ProtocolViolation                Code = "08P01"
	ConfigFileError                  Code = "F0000"
	SystemError                      Code = "58000"
	IOError                          Code = "58030"
	InternalError                    Code = "XX000"
	DataCorrupted                    Code = "XX001"
)

// Severities as sent in the ErrorResponse/NoticeResponse 'S' and 'V' fields.
const (
	SeverityError   = "ERROR"
	SeverityFatal   = "FATAL"
	SeverityWarning = "WARNING"
	SeverityNotice  = "NOTICE"
)

// Error is a PostgreSQL-style error. The zero Severity means ERROR.
type Error struct {
	Severity string
	Code     Code
	Message  string
	Detail   string
	Hint     string
	// Position is the 1-based character offset in the query text that the
	// error points at, or 0 when there is none.
	Position int32
	// Where is the context PostgreSQL reports in the 'W' field, such as
	// "COPY items, line 3, column id: \"x\"".
	Where string
	// Object names, filled where PostgreSQL fills them (constraint
	// violations above all), so drivers can report them.
	Schema     string
	Table      string
	Column     string
	DataType   string
	Constraint string
}

// New returns an error with the given SQLSTATE and a message formatted as
// with fmt.Sprintf.
func New(code Code, format string, args ...any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Code: code, Message: msg}
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s (SQLSTATE %s)", e.severity(), e.Message, e.Code)
}

func (e *Error) severity() string {
	if e.Severity == "" {
		return SeverityError
	}
	return e.Severity
}

// SeverityOrError returns the severity, ERROR when none was set.
func (e *Error) SeverityOrError() string { return e.severity() }

// WithDetail returns a copy of e with Detail set.
func (e *Error) WithDetail(format string, args ...any) *Error {
	c := *e
	c.Detail = fmt.Sprintf(format, args...)
	return &c
}

// WithHint returns a copy of e with Hint set.
func (e *Error) WithHint(format string, args ...any) *Error {
	c := *e
	c.Hint = fmt.Sprintf(format, args...)
	return &c
}

// WithWhere returns a copy of e with its context set, unless it has one.
func (e *Error) WithWhere(format string, args ...any) *Error {
	if e.Where != "" {
		return e
	}
	c := *e
	c.Where = fmt.Sprintf(format, args...)
	return &c
}

// WithPosition returns a copy of e pointing at the 1-based character pos.
// A position already set is kept: the innermost, most precise one wins.
func (e *Error) WithPosition(pos int32) *Error {
	if e.Position != 0 || pos <= 0 {
		return e
	}
	c := *e
	c.Position = pos
	return &c
}

// From returns err as a *Error. Errors without a SQLSTATE become
// internal_error (XX000) with the original text, so that a bug reaches the
// client as an error instead of ending the session.
func From(err error) *Error {
	if err == nil {
		return nil
	}
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	return &Error{Code: InternalError, Message: err.Error()}
}

// CodeOf returns the SQLSTATE of err, or "" when err is nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return From(err).Code
}

// AtPosition attaches a 1-based position to err if it is a *Error without
// one; other errors are returned unchanged.
func AtPosition(err error, pos int32) error {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.WithPosition(pos)
	}
	return err
}

// More SQLSTATEs, kept apart from the list above only to keep its
// alignment readable.
const (
	SubstringError                  Code = "22011"
	InvalidRegularExpression        Code = "2201B"
	InvalidArgumentForLogarithm     Code = "2201E"
	InvalidArgumentForPowerFunction Code = "2201F"
	SequenceGeneratorLimitExceeded  Code = "2200H"
	CantChangeRuntimeParam          Code = "55P02"
	DependentObjectsStillExist      Code = "2BP01"
	BadCopyFileFormat               Code = "22P04"
	IntervalFieldOverflow           Code = "22015"
)
