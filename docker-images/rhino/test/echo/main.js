var reader = new java.io.BufferedReader(new java.io.InputStreamReader(java.lang.System["in"]));
var line;
while ((line = reader.readLine()) != null) {
  print(line);
}
