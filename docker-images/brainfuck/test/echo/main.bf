Copies stdin to stdout until end of input (beef stores 0 at EOF)
,[.,]
