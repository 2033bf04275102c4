<?php

function formatPrice($amount) {
    return '$' . number_format($amount, 2);
}

$products = [
    ['name' => 'Widget', 'price' => 9.99, 'qty' => 3],
    ['name' => 'Gadget', 'price' => 24.5, 'qty' => 1],
    ['name' => 'Doohickey', 'price' => 4.25, 'qty' => 4],
];

$total = 0;
foreach ($products as $product) {
    $line = $product['price'] * $product['qty'];
    $total += $line;
    echo $product['name'] . ": " . formatPrice($line) . "\n";
}
echo "Total: " . formatPrice($total) . "\n";

$names = array_map(function ($p) {
    return strtoupper($p['name']);
}, $products);
print_r($names);
echo implode(", ", array_filter($names, fn($n) => strlen($n) > 6)), PHP_EOL;
