<?php
echo "hello, world\n";
echo array_sum(range(1, 10)), "\n";
