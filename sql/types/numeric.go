package types

import (
	"math"
	"strconv"

	"github.com/cockroachdb/apd/v3"
	"github.com/vecgres/vecgres/sql/pgerr"
)

// Numeric values follow PostgreSQL's numeric type. A finite value is an
// *apd.Decimal whose Exponent is <= 0: its display scale (PostgreSQL's
// dscale, the number of digits printed after the decimal point) is
// -Exponent, so 1.50 is coefficient 150 with exponent -2. Zero is never
// negative. NaN is Form apd.NaN; the infinities are Form apd.Infinite with
// Negative set for -Infinity. Every function here returns values in that
// form and never modifies its arguments.
//
// Scale rules, as in PostgreSQL:
//
//	a + b, a - b, a % b   max(dscale a, dscale b)
//	a * b                 dscale a + dscale b (at most NumericMaxDscale)
//	a / b                 select_div_scale: at least 16 significant digits,
//	                      at least max(dscale a, dscale b), at most 1000
//	sqrt(a)               at least 16 significant digits, at least dscale a
//	round(a, s)           max(s, 0), rounding half away from zero
//
// avg over integers or numerics is NumericAvgDiv(sum, count), which is
// exactly PostgreSQL's sum / count numeric division.
const (
	// NumericMaxDscale is NUMERIC_DSCALE_MAX, the largest display scale
	// a stored numeric can have.
	NumericMaxDscale = 16383
	// NumericMaxWeightDigits is the largest number of digits before the
	// decimal point ((NUMERIC_WEIGHT_MAX + 1) * DEC_DIGITS).
	NumericMaxWeightDigits = 131072
	// NumericMinSigDigits is NUMERIC_MIN_SIG_DIGITS.
	NumericMinSigDigits = 16
	// NumericMaxDisplayScale is NUMERIC_MAX_DISPLAY_SCALE.
	NumericMaxDisplayScale = 1000
)

// invalidArgumentForPowerFunction is SQLSTATE 2201F, which sql/pgerr does
// not name.
const invalidArgumentForPowerFunction pgerr.Code = "2201F"

var (
	numericNaN    = &apd.Decimal{Form: apd.NaN}
	numericPosInf = &apd.Decimal{Form: apd.Infinite}
	numericNegInf = &apd.Decimal{Form: apd.Infinite, Negative: true}
)

func errNumericOverflow() error {
	return pgerr.New(pgerr.NumericValueOutOfRange, "value overflows numeric format")
}

func errDivisionByZero() error {
	return pgerr.New(pgerr.DivisionByZero, "division by zero")
}

// dscale returns the display scale of a finite numeric.
func dscale(d *apd.Decimal) int32 { return -min(d.Exponent, 0) }

// numDigits returns the number of decimal digits of d's coefficient (1 for
// zero).
func numDigits(d *apd.Decimal) int64 { return d.NumDigits() }

// pow10 returns 10^n as a BigInt.
func pow10(n int64) *apd.BigInt {
	var r apd.BigInt
	r.Exp(apd.NewBigInt(10), apd.NewBigInt(n), nil)
	return &r
}

// decimalChunk is the length up to which setDigits uses SetString
// directly; longer strings are split, which keeps parsing subquadratic.
const decimalChunk = 512

// setDigits sets z to the value of the decimal digit string s (digits
// only, non-empty). big.Int's SetString is quadratic in the length; this
// splits s in halves (hi * 10^len(lo) + lo) so that numbers of 100k
// digits parse in milliseconds.
func setDigits(z *apd.BigInt, s string) *apd.BigInt {
	if len(s) <= decimalChunk {
		z.SetString(s, 10)
		return z
	}
	powers := map[int]*apd.BigInt{}
	return setDigitsSplit(z, s, powers)
}

func setDigitsSplit(z *apd.BigInt, s string, powers map[int]*apd.BigInt) *apd.BigInt {
	if len(s) <= decimalChunk {
		z.SetString(s, 10)
		return z
	}
	mid := len(s) / 2
	loLen := len(s) - mid
	var hi, lo apd.BigInt
	setDigitsSplit(&hi, s[:mid], powers)
	setDigitsSplit(&lo, s[mid:], powers)
	p, ok := powers[loLen]
	if !ok {
		p = pow10(int64(loLen))
		powers[loLen] = p
	}
	z.Mul(&hi, p)
	return z.Add(z, &lo)
}

// normalize puts a finite decimal into the package's form: exponent <= 0
// and no negative zero; it then checks PostgreSQL's storage limits.
func normalize(d *apd.Decimal) (*apd.Decimal, error) {
	if d.Form != apd.Finite {
		return d, nil
	}
	if d.Exponent > 0 {
		d.Coeff.Mul(&d.Coeff, pow10(int64(d.Exponent)))
		d.Exponent = 0
	}
	if d.Coeff.Sign() == 0 {
		d.Negative = false
	}
	if d.Coeff.Sign() < 0 {
		d.Coeff.Neg(&d.Coeff)
		d.Negative = !d.Negative
	}
	if err := checkNumericLimits(d); err != nil {
		return nil, err
	}
	return d, nil
}

func checkNumericLimits(d *apd.Decimal) error {
	if d.Form != apd.Finite {
		return nil
	}
	if dscale(d) > NumericMaxDscale {
		return errNumericOverflow()
	}
	if d.IsZero() {
		return nil
	}
	// A bound from the bit length avoids counting digits exactly (which
	// is slow for huge numbers) unless the value is near the limit.
	if maxDigits := int64(d.Coeff.BitLen())*30103/100000 + 1; maxDigits+int64(d.Exponent) <= NumericMaxWeightDigits {
		return nil
	}
	if numDigits(d)+int64(d.Exponent) > NumericMaxWeightDigits {
		return errNumericOverflow()
	}
	return nil
}

// rescale returns d with exactly scale digits after the decimal point,
// rounding half away from zero (or truncating when trunc is set). A
// negative scale rounds to a power of ten and yields display scale 0.
func rescale(d *apd.Decimal, scale int32, trunc bool) *apd.Decimal {
	r := new(apd.Decimal)
	r.Negative = d.Negative
	cur := -d.Exponent
	switch {
	case scale >= cur:
		r.Coeff.Mul(&d.Coeff, pow10(int64(scale-cur)))
		r.Exponent = -scale
	default:
		div := pow10(int64(cur - scale))
		var rem apd.BigInt
		r.Coeff.QuoRem(&d.Coeff, div, &rem)
		if !trunc {
			rem.Mul(&rem, apd.NewBigInt(2))
			if rem.Cmp(div) >= 0 {
				r.Coeff.Add(&r.Coeff, apd.NewBigInt(1))
			}
		}
		r.Exponent = -scale
	}
	if r.Exponent > 0 {
		r.Coeff.Mul(&r.Coeff, pow10(int64(r.Exponent)))
		r.Exponent = 0
	}
	if r.Coeff.Sign() == 0 {
		r.Negative = false
	}
	return r
}

func isSpecial(d *apd.Decimal) bool { return d.Form != apd.Finite }

// anyNaN reports whether an operand is NaN, which makes the result NaN.
func anyNaN(a, b *apd.Decimal) bool { return a.Form == apd.NaN || b.Form == apd.NaN }

func infSign(d *apd.Decimal) int {
	if d.Form != apd.Infinite {
		return 0
	}
	if d.Negative {
		return -1
	}
	return 1
}

func infOf(sign int) *apd.Decimal {
	if sign < 0 {
		return numericNegInf
	}
	return numericPosInf
}

// NumericAdd returns a + b.
func NumericAdd(a, b *apd.Decimal) (*apd.Decimal, error) {
	return addSub(a, b, false)
}

// NumericSub returns a - b.
func NumericSub(a, b *apd.Decimal) (*apd.Decimal, error) {
	return addSub(a, b, true)
}

func addSub(a, b *apd.Decimal, sub bool) (*apd.Decimal, error) {
	if anyNaN(a, b) {
		return numericNaN, nil
	}
	sa, sb := infSign(a), infSign(b)
	if sub {
		sb = -sb
	}
	if sa != 0 || sb != 0 {
		if sa != 0 && sb != 0 && sa != sb {
			return numericNaN, nil
		}
		return infOf(sa + sb), nil
	}
	ea, eb := a.Exponent, b.Exponent
	e := min(ea, eb)
	x := signedCoeff(a, ea-e)
	y := signedCoeff(b, eb-e)
	if sub {
		x.Sub(x, y)
	} else {
		x.Add(x, y)
	}
	r := &apd.Decimal{Exponent: e}
	r.Coeff.Set(x)
	return normalize(r)
}

// signedCoeff returns d's coefficient with its sign, times 10^shift.
func signedCoeff(d *apd.Decimal, shift int32) *apd.BigInt {
	c := new(apd.BigInt).Set(&d.Coeff)
	if shift > 0 {
		c.Mul(c, pow10(int64(shift)))
	}
	if d.Negative {
		c.Neg(c)
	}
	return c
}

// NumericMul returns a * b with display scale dscale a + dscale b.
func NumericMul(a, b *apd.Decimal) (*apd.Decimal, error) {
	if anyNaN(a, b) {
		return numericNaN, nil
	}
	if isSpecial(a) || isSpecial(b) {
		sa, sb := a.Sign(), b.Sign()
		if sa == 0 || sb == 0 {
			return numericNaN, nil
		}
		return infOf(sa * sb), nil
	}
	r := &apd.Decimal{Exponent: a.Exponent + b.Exponent, Negative: a.Negative != b.Negative}
	r.Coeff.Mul(&a.Coeff, &b.Coeff)
	if dscale(r) > NumericMaxDscale {
		r = rescale(r, NumericMaxDscale, false)
	}
	return normalize(r)
}

// NumericDiv returns a / b rounded to PostgreSQL's select_div_scale.
func NumericDiv(a, b *apd.Decimal) (*apd.Decimal, error) {
	if anyNaN(a, b) {
		return numericNaN, nil
	}
	if special, r, err := divSpecials(a, b); special {
		return r, err
	}
	return divRound(a, b, divScale(a, b), false)
}

// NumericAvgDiv returns sum / count as PostgreSQL's avg does for integer
// and numeric inputs: avg(1, 2) = 1.5000000000000000.
func NumericAvgDiv(sum *apd.Decimal, count int64) (*apd.Decimal, error) {
	return NumericDiv(sum, NumericFromInt64(count))
}

// divSpecials handles infinite operands and zero divisors.
func divSpecials(a, b *apd.Decimal) (bool, *apd.Decimal, error) {
	if b.Form == apd.Finite && b.IsZero() {
		return true, nil, errDivisionByZero()
	}
	sa, sb := infSign(a), infSign(b)
	switch {
	case sa != 0 && sb != 0:
		return true, numericNaN, nil
	case sa != 0:
		return true, infOf(sa * b.Sign()), nil
	case sb != 0:
		return true, NumericFromInt64(0), nil
	}
	return false, nil, nil
}

// divRound returns a / b with scale digits after the point, rounded half
// away from zero or truncated. Both are finite and b is not zero.
func divRound(a, b *apd.Decimal, scale int32, trunc bool) (*apd.Decimal, error) {
	// a/b = (ca * 10^ea) / (cb * 10^eb); scaled by 10^scale:
	// q = ca * 10^(ea - eb + scale) / cb.
	num := new(apd.BigInt).Set(&a.Coeff)
	den := new(apd.BigInt).Set(&b.Coeff)
	shift := int64(a.Exponent) - int64(b.Exponent) + int64(scale)
	if shift >= 0 {
		num.Mul(num, pow10(shift))
	} else {
		den.Mul(den, pow10(-shift))
	}
	var q, rem apd.BigInt
	q.QuoRem(num, den, &rem)
	if !trunc {
		rem.Mul(&rem, apd.NewBigInt(2))
		if rem.Cmp(den) >= 0 {
			q.Add(&q, apd.NewBigInt(1))
		}
	}
	r := &apd.Decimal{Exponent: -scale, Negative: a.Negative != b.Negative}
	r.Coeff.Set(&q)
	return normalize(r)
}

// firstGroup returns the weight and value of the first non-zero base-10000
// digit of d, as PostgreSQL's NumericVar holds it; (0, 0) for zero.
func firstGroup(d *apd.Decimal) (weight int64, digit int64) {
	if d.IsZero() {
		return 0, 0
	}
	s := d.Coeff.String()
	exp10 := int64(len(s)) - 1 + int64(d.Exponent)
	weight = floorDiv(exp10, 4)
	k := int(exp10 - 4*weight + 1)
	for i := range k {
		digit *= 10
		if i < len(s) {
			digit += int64(s[i] - '0')
		}
	}
	return weight, digit
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// divScale is PostgreSQL's select_div_scale.
func divScale(a, b *apd.Decimal) int32 {
	w1, d1 := firstGroup(a)
	w2, d2 := firstGroup(b)
	qweight := w1 - w2
	if d1 <= d2 {
		qweight--
	}
	rscale := NumericMinSigDigits - qweight*4
	rscale = max(rscale, int64(dscale(a)), int64(dscale(b)), 0)
	rscale = min(rscale, NumericMaxDisplayScale)
	return int32(rscale)
}

// NumericMod returns a % b: the remainder of truncating division, with the
// sign of a and display scale max(dscale a, dscale b).
func NumericMod(a, b *apd.Decimal) (*apd.Decimal, error) {
	if anyNaN(a, b) {
		return numericNaN, nil
	}
	if b.Form == apd.Finite && b.IsZero() {
		return nil, errDivisionByZero()
	}
	if isSpecial(a) {
		return numericNaN, nil
	}
	if isSpecial(b) {
		return a, nil
	}
	e := min(a.Exponent, b.Exponent)
	x := signedCoeff(a, a.Exponent-e)
	y := signedCoeff(b, b.Exponent-e)
	var q apd.BigInt
	q.QuoRem(x, y, x)
	r := &apd.Decimal{Exponent: e}
	r.Coeff.Set(x)
	return normalize(r)
}

// NumericNeg returns -a.
func NumericNeg(a *apd.Decimal) *apd.Decimal {
	if a.Form == apd.NaN || (a.Form == apd.Finite && a.IsZero()) {
		return a
	}
	r := new(apd.Decimal).Set(a)
	r.Negative = !r.Negative
	return r
}

// NumericAbs returns |a|.
func NumericAbs(a *apd.Decimal) *apd.Decimal {
	if !a.Negative {
		return a
	}
	r := new(apd.Decimal).Set(a)
	r.Negative = false
	return r
}

// NumericRound rounds a half away from zero to scale digits after the
// decimal point (a negative scale rounds to tens, hundreds, ...), as
// round(numeric, int) does.
func NumericRound(a *apd.Decimal, scale int32) (*apd.Decimal, error) {
	return roundTrunc(a, scale, false)
}

// NumericTrunc truncates a towards zero to scale digits after the decimal
// point, as trunc(numeric, int) does.
func NumericTrunc(a *apd.Decimal, scale int32) (*apd.Decimal, error) {
	return roundTrunc(a, scale, true)
}

func roundTrunc(a *apd.Decimal, scale int32, trunc bool) (*apd.Decimal, error) {
	if isSpecial(a) {
		return a, nil
	}
	scale = max(min(scale, 2000), -2000)
	return normalize(rescale(a, scale, trunc))
}

// NumericCmp compares a and b by value; NaN equals NaN and is greater than
// every other value, including Infinity.
func NumericCmp(a, b *apd.Decimal) int {
	ra, rb := numericRank(a), numericRank(b)
	if ra != rb || ra != 0 {
		return cmpInt(ra, rb)
	}
	return a.Cmp(b)
}

// numericRank orders the special values: -Infinity < finite < Infinity <
// NaN.
func numericRank(d *apd.Decimal) int {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return 3
	case apd.Infinite:
		if d.Negative {
			return -1
		}
		return 2
	}
	return 0
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// NumericFromInt64 returns v as a numeric with display scale 0.
func NumericFromInt64(v int64) *apd.Decimal {
	r := new(apd.Decimal)
	if v < 0 {
		r.Negative = true
		r.Coeff.SetUint64(uint64(-(v + 1)) + 1)
	} else {
		r.Coeff.SetUint64(uint64(v))
	}
	return r
}

// NumericFromFloat64 converts a float8 as PostgreSQL's float8_numeric
// does: through its text with 15 significant digits (DBL_DIG), so
// 0.1::float8::numeric is 0.1.
func NumericFromFloat64(f float64) (*apd.Decimal, error) {
	return numericFromFloat(f, 15)
}

// NumericFromFloat32 converts a float4 as float4_numeric does, through its
// text with 6 significant digits (FLT_DIG).
func NumericFromFloat32(f float32) (*apd.Decimal, error) {
	return numericFromFloat(float64(f), 6)
}

func numericFromFloat(f float64, digits int) (*apd.Decimal, error) {
	switch {
	case math.IsNaN(f):
		return numericNaN, nil
	case math.IsInf(f, 1):
		return numericPosInf, nil
	case math.IsInf(f, -1):
		return numericNegInf, nil
	}
	return parseNumeric(formatCG(f, digits))
}

// NumericToFloat64 converts as numeric_float8 does: the nearest float8 to
// the exact value; NaN and the infinities map to their float8 namesakes,
// and a finite value beyond float8's range fails with 22003.
func NumericToFloat64(d *apd.Decimal) (float64, error) {
	f, err := numericToFloat(d, 64)
	if err != nil {
		return 0, err
	}
	return f.(float64), nil
}

// numericToFloat is numeric_float4/numeric_float8: the value's text read
// by float4in/float8in.
func numericToFloat(d *apd.Decimal, bits int) (Datum, error) {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return math.NaN(), nil
	case apd.Infinite:
		if d.Negative {
			return math.Inf(-1), nil
		}
		return math.Inf(1), nil
	}
	v, err := parseFloat(string(appendNumeric(nil, d)), bits)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// NumericToInt64 rounds d half away from zero to a bigint, failing with
// "bigint out of range" (22003), or "cannot convert NaN to bigint" (0A000).
func NumericToInt64(d *apd.Decimal) (int64, error) {
	return NumericToInt(d, Int8OID)
}

// NumericToInt rounds d half away from zero to an integer of the type
// target (Int2OID, Int4OID or Int8OID), failing with that type's out of
// range error as numeric_int2/4/8 do.
func NumericToInt(d *apd.Decimal, target OID) (int64, error) {
	name := intTypeName(target)
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return 0, pgerr.New(pgerr.FeatureNotSupported, "cannot convert NaN to %s", name)
	case apd.Infinite:
		return 0, pgerr.New(pgerr.FeatureNotSupported, "cannot convert infinity to %s", name)
	}
	r := rescale(d, 0, false)
	if !r.Coeff.IsInt64() && !(r.Negative && isMinInt64(&r.Coeff)) {
		return 0, errIntOutOfRange(target)
	}
	v := r.Coeff.Int64()
	if r.Negative {
		v = -v
	}
	return checkIntRange(v, target)
}

func isMinInt64(c *apd.BigInt) bool {
	var m apd.BigInt
	m.SetUint64(1 << 63)
	return c.Cmp(&m) == 0
}

// intTypeName is the SQL name PostgreSQL uses in integer errors.
func intTypeName(oid OID) string {
	switch oid {
	case Int2OID:
		return "smallint"
	case Int4OID:
		return "integer"
	case OidOID:
		return "oid"
	}
	return "bigint"
}

func errIntOutOfRange(oid OID) error {
	return pgerr.New(pgerr.NumericValueOutOfRange, "%s out of range", intTypeName(oid))
}

// checkIntRange fails with "<type> out of range" if v does not fit target.
func checkIntRange(v int64, target OID) (int64, error) {
	switch target {
	case Int2OID:
		if v < math.MinInt16 || v > math.MaxInt16 {
			return 0, errIntOutOfRange(target)
		}
	case Int4OID:
		if v < math.MinInt32 || v > math.MaxInt32 {
			return 0, errIntOutOfRange(target)
		}
	}
	return v, nil
}

// NumericSqrt returns the square root of a with PostgreSQL's result scale.
func NumericSqrt(a *apd.Decimal) (*apd.Decimal, error) {
	switch {
	case a.Form == apd.NaN:
		return numericNaN, nil
	case a.Sign() < 0:
		return nil, pgerr.New(invalidArgumentForPowerFunction, "cannot take square root of a negative number")
	case a.Form == apd.Infinite:
		return numericPosInf, nil
	}
	weight := int64(0)
	if !a.IsZero() {
		exp10 := numDigits(a) - 1 + int64(a.Exponent)
		weight = floorDiv(exp10, 4)
	}
	sweight := (weight+1)*4/2 - 1
	rscale := NumericMinSigDigits - sweight
	rscale = max(rscale, int64(dscale(a)), 0)
	rscale = min(rscale, NumericMaxDisplayScale)
	return sqrtRound(a, int32(rscale))
}

// sqrtRound returns sqrt(a) rounded half away from zero to scale digits.
func sqrtRound(a *apd.Decimal, scale int32) (*apd.Decimal, error) {
	// Compute floor(sqrt(a * 10^(2*(scale+1)))) to get one guard digit,
	// then round that digit away. sqrt is never exactly half-way at the
	// guard digit unless exact, so rounding on it is correct.
	guard := scale + 1
	shift := int64(2*guard) + int64(a.Exponent)
	n := new(apd.BigInt).Set(&a.Coeff)
	if shift >= 0 {
		n.Mul(n, pow10(shift))
	} else {
		n.Quo(n, pow10(-shift))
	}
	var root apd.BigInt
	root.Sqrt(n)
	r := &apd.Decimal{Exponent: -guard}
	r.Coeff.Set(&root)
	return normalize(rescale(r, scale, false))
}

// ApplyNumericTypmod rounds d to t's scale and checks its precision, as
// PostgreSQL's apply_typmod does for numeric(p,s); t without modifier
// returns d unchanged.
func ApplyNumericTypmod(d *apd.Decimal, t T) (*apd.Decimal, error) {
	precision, scale, ok := t.NumericTypmod()
	if !ok || d.Form == apd.NaN {
		return d, nil
	}
	if d.Form == apd.Infinite {
		return nil, pgerr.New(pgerr.NumericValueOutOfRange, "numeric field overflow").
			WithDetail("A field with precision %d, scale %d cannot hold an infinite value.", precision, scale)
	}
	r := rescale(d, int32(scale), false)
	if !r.IsZero() && numDigits(r)+int64(r.Exponent)+int64(scale) > int64(precision) {
		maxDigits := precision - scale
		limit := "1"
		if maxDigits != 0 {
			limit = "10^" + strconv.Itoa(maxDigits)
		}
		return nil, pgerr.New(pgerr.NumericValueOutOfRange, "numeric field overflow").
			WithDetail("A field with precision %d, scale %d must round to an absolute value less than %s.", precision, scale, limit)
	}
	return normalize(r)
}

// appendNumeric writes numeric_out's text: plain notation with exactly
// dscale digits after the point, or NaN / Infinity / -Infinity.
func appendNumeric(buf []byte, d *apd.Decimal) []byte {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return append(buf, "NaN"...)
	case apd.Infinite:
		if d.Negative {
			return append(buf, "-Infinity"...)
		}
		return append(buf, "Infinity"...)
	}
	if d.Exponent > 0 {
		d = rescale(d, 0, false)
	}
	if d.Negative && !d.IsZero() {
		buf = append(buf, '-')
	}
	digits := d.Coeff.Append(nil, 10)
	if digits[0] == '-' {
		digits = digits[1:]
	}
	scale := int(-d.Exponent)
	if scale == 0 {
		return append(buf, digits...)
	}
	if len(digits) <= scale {
		buf = append(buf, '0', '.')
		for range scale - len(digits) {
			buf = append(buf, '0')
		}
		return append(buf, digits...)
	}
	split := len(digits) - scale
	buf = append(buf, digits[:split]...)
	buf = append(buf, '.')
	return append(buf, digits[split:]...)
}
