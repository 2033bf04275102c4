A loop closed once too often
+++[>++<-]]
