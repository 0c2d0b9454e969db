//go:build !purego

#include "textflag.h"

// func dotU8I16AVX2(codes *uint8, q *int16, n int) int32
//
// Sum of codes[i]·q[i] for i < n, n a multiple of 16, in int32 (wrapping).
TEXT ·dotU8I16AVX2(SB), NOSPLIT, $0-28
	MOVQ codes+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ n+16(FP), CX
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	CMPQ CX, $32
	JB   tail

loop:
	VPMOVZXBW (SI), Y2
	VPMADDWD  (DI), Y2, Y2
	VPADDD    Y2, Y0, Y0
	VPMOVZXBW 16(SI), Y3
	VPMADDWD  32(DI), Y3, Y3
	VPADDD    Y3, Y1, Y1
	ADDQ      $32, SI
	ADDQ      $64, DI
	SUBQ      $32, CX
	CMPQ      CX, $32
	JAE       loop

tail:
	CMPQ      CX, $16
	JB        done
	VPMOVZXBW (SI), Y2
	VPMADDWD  (DI), Y2, Y2
	VPADDD    Y2, Y0, Y0

done:
	VPADDD       Y1, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0x4e, X0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0xb1, X0, X1
	VPADDD       X1, X0, X0
	VMOVD        X0, AX
	MOVL         AX, ret+24(FP)
	VZEROUPPER
	RET

// func prefetch(addrs *unsafe.Pointer, n int, lines int)
//
// Prefetches into all cache levels the first lines 64-byte lines at each
// of the n addresses.
TEXT ·prefetch(SB), NOSPLIT, $0-24
	MOVQ addrs+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ lines+16(FP), DX
	TESTQ CX, CX
	JZ    pdone

pnext:
	MOVQ (SI), AX
	MOVQ DX, BX

pline:
	PREFETCHT0 (AX)
	ADDQ       $64, AX
	DECQ       BX
	JNZ        pline
	ADDQ       $8, SI
	DECQ       CX
	JNZ        pnext

pdone:
	RET

// func dotU8I16BatchAVX2(ptrs *unsafe.Pointer, n int, q *int16, dimPad int, out *int32)
//
// out[i] = the sum of codes·q for the dimPad codes at ptrs[i], i < n;
// dimPad a multiple of 16.
TEXT ·dotU8I16BatchAVX2(SB), NOSPLIT, $0-40
	MOVQ ptrs+0(FP), R8
	MOVQ n+8(FP), R9
	MOVQ q+16(FP), R10
	MOVQ dimPad+24(FP), R11
	MOVQ out+32(FP), R12
	TESTQ R9, R9
	JZ    bdone

bnext:
	MOVQ  (R8), SI
	MOVQ  R10, DI
	MOVQ  R11, CX
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	CMPQ  CX, $32
	JB    btail

bloop:
	VPMOVZXBW (SI), Y2
	VPMADDWD  (DI), Y2, Y2
	VPADDD    Y2, Y0, Y0
	VPMOVZXBW 16(SI), Y3
	VPMADDWD  32(DI), Y3, Y3
	VPADDD    Y3, Y1, Y1
	ADDQ      $32, SI
	ADDQ      $64, DI
	SUBQ      $32, CX
	CMPQ      CX, $32
	JAE       bloop

btail:
	CMPQ      CX, $16
	JB        bsum
	VPMOVZXBW (SI), Y2
	VPMADDWD  (DI), Y2, Y2
	VPADDD    Y2, Y0, Y0

bsum:
	VPADDD       Y1, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0x4e, X0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0xb1, X0, X1
	VPADDD       X1, X0, X0
	VMOVD        X0, (R12)
	ADDQ         $4, R12
	ADDQ         $8, R8
	DECQ         R9
	JNZ          bnext

bdone:
	VZEROUPPER
	RET
