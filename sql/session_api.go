package sql

import (
	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// Column describes one result column as RowDescription reports it.
type Column struct {
	Name string
	Type types.T
	// TableOID and Attnum name the table column the value comes from, or
	// are zero for computed values.
	TableOID types.OID
	Attnum   int16
}

// SessionParams are what a client sends at startup.
type SessionParams struct {
	User     string
	Database string
	// Options holds the other startup parameters (application_name,
	// client_encoding, DateStyle, TimeZone, ...), applied as SET would.
	Options map[string]string
}

// EngineConfig configures an Engine.
type EngineConfig struct {
	DB     *storage.DB
	Logger zerolog.Logger
	// MD5Passwords keeps, beside each new password's SCRAM secret, the
	// md5 hash that md5 authentication needs (roles.go); set it only when
	// the server accepts md5.
	MD5Passwords bool
}

// ParamStatus is a setting the server reports to the client with a
// ParameterStatus message, at startup and whenever SET changes it.
type ParamStatus struct {
	Name, Value string
}

// TxnStatus is the transaction status byte of ReadyForQuery.
type TxnStatus byte

// Transaction states.
const (
	TxnIdle   TxnStatus = 'I'
	TxnActive TxnStatus = 'T'
	TxnFailed TxnStatus = 'E'
)
