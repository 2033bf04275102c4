/* REXX */
divisor = 0
say 'dividing by' divisor
say 10 / divisor
