#lang racket/base
(displayln "hello, world")
(displayln (for/sum ([i (in-range 1 11)]) i))
