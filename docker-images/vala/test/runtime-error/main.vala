int main () {
    try {
        string contents;
        FileUtils.get_contents ("/no/such/file", out contents);
    } catch (FileError e) {
        stderr.printf ("Error: %s\n", e.message);
        return 1;
    }
    return 0;
}
