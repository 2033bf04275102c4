var config = null;
print("reading the port");
print(config.port);
