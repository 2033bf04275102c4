import numpy as np
import pandas as pd
from scipy import stats
import sympy as sp

df = pd.DataFrame({
    "name": ["Alice", "Bob", "Carol", "Dave"],
    "dept": ["eng", "ops", "eng", "ops"],
    "salary": [120, 90, 110, 95],
})
print(df.groupby("dept")["salary"].mean())

a = np.arange(1, 11)
print(a.reshape(2, 5).sum(axis=1))
print(f"mean={a.mean():.1f} std={a.std():.3f}")

print(round(stats.pearsonr(a, a ** 2).statistic, 4))

x = sp.symbols("x")
print(sp.integrate(x**2, (x, 0, 3)), sp.factor(x**2 - 5*x + 6))

match df.shape:
    case (rows, cols):
        print(f"{rows} rows, {cols} columns")
