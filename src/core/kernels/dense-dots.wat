;; The head's dense block: out[t] = Σ_j x[j] · w[t·D + j] for every tag t, in WebAssembly SIMD.
;; x: f64[D], w: f32[T·D] (tag-major), out: f64[T]; D a multiple of 8. Products and sums are
;; float64 (two lanes per f64x2), like the JavaScript fallback; eight interleaved partial sums
;; (features j ≡ 0..7 mod 8) are added at the end, so the last bits can differ from a one-by-one sum.
;; Compiled by scripts/build-kernels.ts into dense-dots-wasm.ts (tests/dense-kernel.test.ts checks
;; that the committed bytes are this file's).
(module
  (memory (export "memory") 1)
  (func (export "dots") (param $x i32) (param $w i32) (param $out i32) (param $T i32) (param $D i32)
    (local $t i32) (local $j i32) (local $xp i32) (local $wp i32) (local $wv v128) (local $wu v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $wp (local.get $w))
    (block $done
      (loop $tags
        (br_if $done (i32.ge_u (local.get $t) (local.get $T)))
        (local.set $a0 (v128.const f64x2 0 0))
        (local.set $a1 (v128.const f64x2 0 0))
        (local.set $a2 (v128.const f64x2 0 0))
        (local.set $a3 (v128.const f64x2 0 0))
        (local.set $xp (local.get $x))
        (local.set $j (i32.const 0))
        (block $fin
          (loop $features
            (br_if $fin (i32.ge_u (local.get $j) (local.get $D)))
            ;; eight f32 weights: w0..w3 in $wv, w4..w7 in $wu
            (local.set $wv (v128.load (local.get $wp)))
            (local.set $wu (v128.load offset=16 (local.get $wp)))
            (local.set $a0 (f64x2.add (local.get $a0)
              (f64x2.mul (v128.load (local.get $xp)) (f64x2.promote_low_f32x4 (local.get $wv)))))
            (local.set $a1 (f64x2.add (local.get $a1)
              (f64x2.mul (v128.load offset=16 (local.get $xp))
                (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $wv) (local.get $wv))))))
            (local.set $a2 (f64x2.add (local.get $a2)
              (f64x2.mul (v128.load offset=32 (local.get $xp)) (f64x2.promote_low_f32x4 (local.get $wu)))))
            (local.set $a3 (f64x2.add (local.get $a3)
              (f64x2.mul (v128.load offset=48 (local.get $xp))
                (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $wu) (local.get $wu))))))
            (local.set $wp (i32.add (local.get $wp) (i32.const 32)))
            (local.set $xp (i32.add (local.get $xp) (i32.const 64)))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $features)))
        (local.set $a0 (f64x2.add (f64x2.add (local.get $a0) (local.get $a1)) (f64x2.add (local.get $a2) (local.get $a3))))
        (f64.store
          (i32.add (local.get $out) (i32.shl (local.get $t) (i32.const 3)))
          (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tags)))))
