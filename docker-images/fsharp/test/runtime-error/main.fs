failwith "boom"
