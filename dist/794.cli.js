export const id=794;export const ids=[794];export const modules={2794:((n,o,r)=>{function t(n){return`${JSON.stringify(n,null,2)}\n`}r.r(o),r.d(o,{renderJson:()=>t})})};
