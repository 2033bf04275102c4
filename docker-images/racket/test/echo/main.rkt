#lang racket/base
(require racket/port)
(display (port->string (current-input-port)))
