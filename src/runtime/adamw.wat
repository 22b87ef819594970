;; AdamW as ONE pass over the flat vectors (WebAssembly SIMD, 4 floats per instruction).
;;
;; On the CPU the train-step graph stops at the gradient (see model/graphs.ts buildGradientStep):
;; onnxruntime-node copies every output into a fresh buffer, so returning theta', m', v' cost three
;; parameter-sized copies per step, and AdamW as graph nodes was ~25 passes over them. Here one
;; pass reads theta, m, v, g and writes theta, m, v in place.
;;
;; The arithmetic is model/adamw.ts's, operation for operation, in float32 (every op rounds, no
;; fused multiply-add), with the scalars the graph computed (c1, c2 with clipping folded in,
;; stepSize, epsHat, keep): the result is bit-identical to the in-graph update (tested).
;;   m' = m*b1 + g*c1;  v' = v*b2 + (g*g)*c2;  theta' = theta*keep - (m' / (sqrt(v') + epsHat)) * stepSize
;; Pointers are byte offsets into the imported memory, 16-byte aligned; n is the element count.
;; Edit this file, then `npm run build:wasm` regenerates adamw-wasm.ts (a test checks they match).
(module
  (import "env" "memory" (memory 1))
  (func (export "adamw")
    (param $th i32) (param $m i32) (param $v i32) (param $g i32) (param $n i32)
    (param $b1 f32) (param $b2 f32) (param $c1 f32) (param $c2 f32) (param $eps f32) (param $step f32) (param $keep f32)
    (local $off i32) (local $end i32)
    (local $B1 v128) (local $B2 v128) (local $C1 v128) (local $C2 v128) (local $EPS v128) (local $STEP v128) (local $KEEP v128)
    (local $gv v128) (local $mv v128) (local $vv v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $C1 (f32x4.splat (local.get $c1)))
    (local.set $C2 (f32x4.splat (local.get $c2)))
    (local.set $EPS (f32x4.splat (local.get $eps)))
    (local.set $STEP (f32x4.splat (local.get $step)))
    (local.set $KEEP (f32x4.splat (local.get $keep)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $vec
        (br_if $done (i32.ge_u (local.get $off) (local.get $end)))
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $off))))
        (local.set $mv (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $off))) (local.get $B1))
                                  (f32x4.mul (local.get $gv) (local.get $C1))))
        (local.set $vv (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $off))) (local.get $B2))
                                  (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $C2))))
        (v128.store (i32.add (local.get $m) (local.get $off)) (local.get $mv))
        (v128.store (i32.add (local.get $v) (local.get $off)) (local.get $vv))
        (v128.store (i32.add (local.get $th) (local.get $off))
          (f32x4.sub
            (f32x4.mul (v128.load (i32.add (local.get $th) (local.get $off))) (local.get $KEEP))
            (f32x4.mul (f32x4.div (local.get $mv) (f32x4.add (f32x4.sqrt (local.get $vv)) (local.get $EPS))) (local.get $STEP))))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br $vec)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $tdone
      (loop $tail
        (br_if $tdone (i32.ge_u (local.get $off) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $off))))
        (local.set $ms (f32.add (f32.mul (f32.load (i32.add (local.get $m) (local.get $off))) (local.get $b1))
                                (f32.mul (local.get $gs) (local.get $c1))))
        (local.set $vs (f32.add (f32.mul (f32.load (i32.add (local.get $v) (local.get $off))) (local.get $b2))
                                (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $c2))))
        (f32.store (i32.add (local.get $m) (local.get $off)) (local.get $ms))
        (f32.store (i32.add (local.get $v) (local.get $off)) (local.get $vs))
        (f32.store (i32.add (local.get $th) (local.get $off))
          (f32.sub
            (f32.mul (f32.load (i32.add (local.get $th) (local.get $off))) (local.get $keep))
            (f32.mul (f32.div (local.get $ms) (f32.add (f32.sqrt (local.get $vs)) (local.get $eps))) (local.get $step))))
        (local.set $off (i32.add (local.get $off) (i32.const 4)))
        (br $tail)))))
