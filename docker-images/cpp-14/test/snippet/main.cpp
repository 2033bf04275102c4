#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);

    int n;
    cin >> n;
    vector<int> a(n);
    for (int i = 0; i < n; i++) cin >> a[i];

    sort(a.begin(), a.end());
    for (auto x : a) cout << x << " ";
    cout << endl;

    long long sum = accumulate(a.begin(), a.end(), 0LL);
    cout << "sum = " << sum << ", max = " << *max_element(a.begin(), a.end()) << endl;

    map<int, int> freq;
    for (int x : a) freq[x]++;
    for (auto& [k, v] : freq)
        if (v > 1) cout << k << " appears " << v << " times" << endl;
    return 0;
}
