(local config nil)
(print "reading the port")
(print (. config :port))
